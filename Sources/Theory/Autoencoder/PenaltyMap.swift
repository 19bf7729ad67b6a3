import Foundation
import FlowModel

/// The map between a simulation's weight decay and the dimensionless penalties L_u, L_w of J
/// (AT.2, AT.5). A loss A·Σ_times Σ_ν |f_t(x^ν) − x₁^ν|² with L2 weight decay λ (Adam/SGD
/// `weight_decay`, the gradient of (λ/2)|θ|²; not AdamW's decoupled decay) has the stationary
/// points of J with L = λ/(2A).
public enum PenaltyMap {
    /// L = λ/(2A) for a loss A·Σ_times Σ_ν |f − x₁|² (AT.5).
    public static func penalty(weightDecay lambda: Double, lossScale a: Double) throws -> Double {
        try require("weight decay", lambda, "≥ 0") { $0 >= 0 }
        try require("loss scale", a, "> 0") { $0 > 0 }
        return lambda / (2 * a)
    }

    /// The authors' loss n × MSE (mean over d coordinates, n samples, K times): A = 1/(dK), L = λdK/2.
    public static func authorsPenalty(weightDecay lambda: Double, dimension: FlowModel.Dimension, times k: Int) throws -> Double {
        try penalty(weightDecay: lambda, lossScale: 1 / (dimension.value * Double(k)))
    }

    /// The weight decay λ = 2A·L that makes a loss A·Σ|f − x₁|² train J with penalty L.
    public static func weightDecay(penalty l: Double, lossScale a: Double) throws -> Double {
        try require("penalty", l, "≥ 0") { $0 >= 0 }
        try require("loss scale", a, "> 0") { $0 > 0 }
        return 2 * a * l
    }
}
