import Experiments
import FlowModel
import Foundation
import Simulation
import XCTest

/// The Adam decomposition: L-BFGS from a (short) Adam run's end state and from the paper's start reach
/// the same minimum of J in phase 2 (unique there), so Adam's offset is measured from the minimiser.
final class AdamDecompositionTests: XCTestCase {
    func testMinimiserFromAdamEqualsMinimiserFromStartInPhaseTwo() throws {
        var training = TrainingOptions()
        training.epochs = 40
        let config = try SimulationConfiguration(setup: try Setup(dimension: .finite(300), n: 16), steps: 4, training: training)
        let rows = try AdamDecomposition(configuration: config, seeds: [1, 2], threads: 2).rows()
        XCTAssertEqual(rows.count, 4)
        func value(_ row: Row, _ key: String) -> Double {
            guard case let .double(x)? = row.fields.first(where: { $0.key == key })?.value else { return .nan }
            return x
        }
        for row in rows where value(row, "tau") > 1 {
            for key in ["c", "m", "q"] {
                XCTAssertEqual(value(row, key + "_minimiser_from_adam"), value(row, key + "_minimiser_from_start"), accuracy: 1e-5, key)
            }
            // 40 Adam epochs are far from the minimiser: the offset is measured, not zero.
            XCTAssertGreaterThan(abs(value(row, "m_adam_offset")), 1e-3)
        }
    }
}
