import FlowModel
import Foundation
import Simulation
import XCTest

/// `phaseflow dynamics adam` as a user runs it (the mean field itself: AdamMeanFieldTests, AdamBranchTests).
final class DynamicsAdamCommandLineTests: XCTestCase {
    /// One-line errors for grid times off the grid and for protocols or clocks the mean field does not
    /// describe; a run prints, per seed, epoch and grid time, the library's trajectory with the inputs.
    func testDynamicsAdamCommand() throws {
        let base = ["dynamics", "adam", "--d", "300", "--n", "16", "--steps", "4", "--epochs", "200", "--record-every", "100"]
        try assertOneLineErrors([
            (base + ["--tau", "0.3"], "tau 0.3"), (base + ["--tau", "0"], "tau 0"), (base + ["--protocol", "gd"], "--protocol adam"),
            (base + ["--schedule", "linear"], "dilated"), (["dynamics", "adam", "--d", "10"] + base.dropFirst(4), "d = 10"),
        ])
        let result = try phaseflow(base + ["--seeds", "2", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 2 * 3 * 2)                 // seeds × epochs 0, 100, 200 × τ = ½, 1
        for key in ["seed", "epoch", "tau", "t", "phase", "c", "b", "m", "omega", "q", "r", "uw", "plateau",
                    "d", "n", "p", "sigma", "k", "steps", "epochs", "protocol", "lr", "weight_decay", "init"] {
            XCTAssertNotNil(rows[0][key], key)
        }
        // Epoch 0 is each seed's own start: the order parameters of its initial bank (sign fixed, m ≥ 0).
        var training = TrainingOptions()
        training.epochs = 200
        let start = try Trainer<Double>(problem: try Problem(dimension: .finite(300), p: 0.8, sigma: 1), n: 16, k: 2, steps: 4,
                                        options: training, seed: 2).orderParameters()
        var checked = 0
        for row in rows where row["seed"] as? Int == 2 && row["epoch"] as? Int == 0 {
            let j = (row["tau"] as? Double) == 0.5 ? 1 : 2
            for key in OrderParameter.allCases {
                XCTAssertEqual(try XCTUnwrap(row[key.rawValue] as? Double), start[j].signFixed[key], accuracy: 1e-12, key.rawValue)
            }
            checked += 1
        }
        XCTAssertEqual(checked, 2)
        // Then Adam moves b by about lr per step: b changes at every grid time within 200 steps.
        for row in rows where row["epoch"] as? Int == 200 {
            let first = try XCTUnwrap(rows.first { $0["seed"] as? Int == row["seed"] as? Int && $0["tau"] as? Double == row["tau"] as? Double })
            XCTAssertGreaterThan(abs(try XCTUnwrap(row["b"] as? Double) - (try XCTUnwrap(first["b"] as? Double))), 0.1)
            XCTAssertEqual(row["plateau"] as? Int, abs(try XCTUnwrap(row["b"] as? Double)) >= 5 ? 1 : 0)
        }
    }
}
