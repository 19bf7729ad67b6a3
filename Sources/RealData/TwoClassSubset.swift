import Foundation
import FlowModel
import GSLKit

/// Two classes of a dataset — class A against class B, or A against the rest — with a training set
/// in which A has the chosen majority fraction, and a held-out split, all drawn from a seed.
///
/// Each class's images are shuffled and split first (held-out fraction, default 20 %); the
/// training part is then subsampled so that A makes up `majority` of it. The held-out part keeps
/// every held-out image of both classes (the U-turn starts from held-out images of each class).
/// Labels inside the subset are 0 for A and 1 for B.
///
/// ```swift
/// let subset = try TwoClassSubset(images: mnist, classA: 0, classB: 1, majority: 0.8, seed: 1)
/// ```
public struct TwoClassSubset: Sendable {
    public let classA: Int
    /// nil: every class other than A.
    public let classB: Int?
    public let majority: Double
    public let trainRows: [Int], trainLabels: [Int]
    public let heldOutRows: [Int], heldOutLabels: [Int]

    public init(images: ImageSet, classA: Int, classB: Int?, majority: Double, heldOutFraction: Double = 0.2,
                maxTrainCount: Int? = nil, seed: UInt64) throws {
        try require("majority", majority, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try require("held-out fraction", heldOutFraction, "in (0, 1)") { $0 > 0 && $0 < 1 }
        if let b = classB, b == classA { throw InputError("the two classes must differ; got \(classA) twice") }
        let present = Set(images.labels)
        for c in [classA] + (classB.map { [$0] } ?? []) where !present.contains(c) {
            throw InputError("class \(c) has no images in \(images.name) (classes: \(present.sorted().map(String.init).joined(separator: " ")))")
        }
        let stream = try RandomStream(seed: seed)
        var a = images.labels.indices.filter { images.labels[$0] == classA }
        var b = images.labels.indices.filter { classB == nil ? images.labels[$0] != classA : images.labels[$0] == classB! }
        shuffle(&a, stream); shuffle(&b, stream)
        let heldA = Int((heldOutFraction * Double(a.count)).rounded()), heldB = Int((heldOutFraction * Double(b.count)).rounded())
        let poolA = Array(a[heldA...]), poolB = Array(b[heldB...])
        // The largest training set with A's fraction = majority (B's count rounded).
        var nA = min(poolA.count, Int((majority / (1 - majority) * Double(poolB.count)).rounded(.down)))
        if let cap = maxTrainCount { nA = min(nA, Int((majority * Double(cap)).rounded(.down))) }
        let nB = min(poolB.count, Int((Double(nA) * (1 - majority) / majority).rounded()))
        guard nA >= 2, nB >= 2 else {
            throw InputError("majority \(majority) leaves \(nA) training images of class \(classA) and \(nB) of the other; need at least 2 of each")
        }
        self.classA = classA; self.classB = classB; self.majority = majority
        trainRows = Array(poolA.prefix(nA)) + Array(poolB.prefix(nB))
        trainLabels = [Int](repeating: 0, count: nA) + [Int](repeating: 1, count: nB)
        heldOutRows = Array(a[..<heldA]) + Array(b[..<heldB])
        heldOutLabels = [Int](repeating: 0, count: heldA) + [Int](repeating: 1, count: heldB)
    }

    /// "0" and "1", or "0" and "rest".
    public var classNames: [String] { ["\(classA)", classB.map { "\($0)" } ?? "rest"] }

    /// Rows of the held-out split with subset label `label` (0: A, 1: B).
    public func heldOut(label: Int) -> [Int] {
        zip(heldOutRows, heldOutLabels).filter { $0.1 == label }.map(\.0)
    }
}

/// Fisher–Yates with the stream's uniform draws (same seed, same order).
func shuffle(_ x: inout [Int], _ stream: RandomStream) {
    guard x.count > 1 else { return }
    for i in stride(from: x.count - 1, to: 0, by: -1) {
        let j = min(Int(stream.uniform() * Double(i + 1)), i)
        x.swapAt(i, j)
    }
}
