import XCTest
import BLASKit
import FlowModel
@testable import Simulation

/// A protocol outside the registry, defined in one type: every epoch halves c (and nothing else),
/// on a clock of two time units per epoch. The trainer needs no change to run it.
private struct HalvingProtocol: TrainingProtocol {
    var name: String { "halving" }
    var defaultLearningRate: Double { 1 }
    func time(epoch: Int, dimension d: Int) -> Double { 2 * Double(epoch) }
    func makeState<T: BLASScalar>(for trainer: Trainer<T>) throws -> any TrainingState<T> { State<T>() }
    final class State<T: BLASScalar>: TrainingState {
        func step(_ trainer: Trainer<T>) { for j in 0..<trainer.grid.steps { trainer.bank.c[j] /= 2 } }
    }
}

final class TrainingProtocolTests: XCTestCase {
    /// The registry finds every protocol by its own name, and no other: distinct names, nil for an
    /// unknown one.
    func testRegistryFindsEachProtocolByName() {
        let names = TrainingProtocols.all.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "names \(names) repeat")
        for name in names { XCTAssertEqual(TrainingProtocols.named(name)?.name, name) }
        XCTAssertNil(TrainingProtocols.named("sgd"))
        XCTAssertNil(TrainingProtocols.named(""))
    }

    /// A protocol the trainer does not know: its step is what the trainer runs (c halves exactly
    /// once per epoch, u, w untouched), its clock is the trainer's time, and its (absent) saved
    /// arrays round-trip through a checkpoint.
    func testTrainerRunsAProtocolDefinedElsewhere() throws {
        var options = TrainingOptions()
        options.trainingProtocol = HalvingProtocol()
        let problem = try Problem(dimension: .finite(32), p: 0.8, sigma: 1)
        let trainer = try Trainer<Double>(problem: problem, n: 4, k: 2, steps: 4, options: options, seed: 3)
        let c0 = trainer.bank.c.array, u0 = trainer.bank.u.array
        trainer.train(epochs: 3)
        XCTAssertEqual(trainer.bank.c.array, c0.map { $0 / 8 })
        XCTAssertEqual(trainer.bank.u.array, u0)
        XCTAssertEqual(trainer.time, 6)
        let again = try Trainer<Double>(problem: problem, n: 4, k: 2, steps: 4, options: options, seed: 3)
        try again.restore(trainer.state())
        again.step(); trainer.step()
        XCTAssertEqual(again.bank.c.array, trainer.bank.c.array)
        XCTAssertEqual(again.time, 8)
    }

    /// The column-mean preconditioner (derivations/adam-offset.md §7, a diagnostic) is a different
    /// optimiser from per-coordinate Adam: at one trained grid time (`trainedTimes`, whose bit-for-bit
    /// agreement with the run of all times `SimulationTests` checks) it moves the network elsewhere.
    func testColumnMeanPreconditionerIsADifferentOptimiser() throws {
        let problem = try Problem(dimension: .finite(300), p: 0.8, sigma: 1)
        var options = TrainingOptions()
        options.trainingProtocol = .adam
        options.weightDecay = 1e-4
        options.trainedTimes = [3]
        let perCoordinate = try Trainer<Double>(problem: problem, n: 16, k: 2, steps: 4, options: options, seed: 2)
        options.trainingProtocol = AdamProtocol(preconditioner: .columnMean)
        let shared = try Trainer<Double>(problem: problem, n: 16, k: 2, steps: 4, options: options, seed: 2)
        perCoordinate.train(epochs: 300); shared.train(epochs: 300)
        XCTAssertGreaterThan(abs(shared.orderParameters()[3].r - perCoordinate.orderParameters()[3].r), 1e-6)
    }

    /// The time scales and triviality rules of the registered protocols: online t = steps/d, the
    /// others epochs; Adam trivial on its plateau |b| ≥ 5, the others at r ≤ 1e-9.
    func testTimeScalesAndTrivialityRules() {
        XCTAssertEqual(OnlineProtocol().time(epoch: 300, dimension: 200), 1.5)
        for p in [.adam, .gd, .converged] as [any TrainingProtocol] { XCTAssertEqual(p.time(epoch: 300, dimension: 200), 300) }
        let plateau = OrderParameters(c: 1, b: 6, m: 0.5, omega: 0.5, q: 1, r: 1, uw: 0)
        let narrow = OrderParameters(c: 1, b: 0.1, m: 0.5, omega: 0, q: 1, r: 1e-12, uw: 0)
        XCTAssertTrue(AdamProtocol().isTrivial(plateau)); XCTAssertFalse(AdamProtocol().isTrivial(narrow))
        for p in [.gd, .online, .converged] as [any TrainingProtocol] {
            XCTAssertFalse(p.isTrivial(plateau)); XCTAssertTrue(p.isTrivial(narrow))
        }
    }
}
