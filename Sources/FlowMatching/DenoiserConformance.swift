import RealData

/// The trained model is a `Denoiser`: RealData's samplers and U-turn run on it unchanged.
extension FlowMatchingModel: Denoiser {}
