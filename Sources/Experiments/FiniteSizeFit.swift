import FlowModel
import Foundation
import GSLKit

/// A finite-size power law: a deviation ∝ d^a fitted by least squares in log–log
/// (`gsl_fit_linear` through GSLKit), with the slope's standard error when more than two
/// dimensions determine it.
///
///     let fit = try FiniteSizeFit(dimensions: [.finite(1000), .finite(4000)], deviations: [0.05, 0.026])
///     print(fit?.text ?? "no fit")   // "a = -0.472"
public struct FiniteSizeFit: Sendable {
    public let exponent: Double
    public let standardError: Double
    public let dimensions: Int

    /// nil ("no fit") unless at least two distinct dimensions, all finite, every deviation finite
    /// and > 0, and a finite slope: a fit never reports NaN or ±inf.
    public init?(dimensions: [FlowModel.Dimension], deviations: [Double]) throws {
        guard Set(dimensions).count >= 2, dimensions.count == deviations.count, dimensions.allSatisfy(\.isFinite),
              deviations.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        let fit = try LinearFit(x: dimensions.map { log($0.value) }, y: deviations.map(log))
        guard fit.slope.isFinite else { return nil }
        exponent = fit.slope
        standardError = fit.slopeStandardError
        self.dimensions = dimensions.count
    }

    /// "a = −0.5 ± 0.1" (no error for two dimensions: they determine the line).
    public var text: String {
        String(format: "a = %.3f", exponent) + (dimensions > 2 && standardError.isFinite ? String(format: " ± %.3f", standardError)
                                                 : " (\(dimensions) dimensions determine the line: no standard error)")
    }
}
