using CausalMmm.CausalDiscovery;
using CausalMmm.Forecasting;
using CausalMmm.Transforms;

namespace CausalMmm.Pipeline;

/// <summary>The loaders of this library's own components.</summary>
internal static class BuiltInComponents
{
    public static void Register()
    {
        ModelRegistry.Register(AdstockTransformer.Kind, AdstockTransformer.Load);
        ModelRegistry.Register(HillTransformer.Kind, HillTransformer.Load);
        ModelRegistry.Register(RidgeTransformer.Kind, RidgeTransformer.Load);
        ModelRegistry.Register(WideTransformer.Kind, WideTransformer.Load);
        ModelRegistry.Register(CausalGraphTransformer.Kind, CausalGraphTransformer.Load);
        ModelRegistry.Register(MarketingResponseTransformer.Kind, MarketingResponseTransformer.Load);
    }
}
