using System.Security.Cryptography;
using System.Text;
using CausalMmm.CausalDiscovery;
using CausalMmm.Forecasting;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Tests.Torch;

/// <summary>The TorchSharp layer: it loads on this machine, the build's GLIBCXX fix touched only what it had to, and no tensor outlives a fit or a transform.</summary>
public sealed class TorchStackTests
{
    /// <summary>SHA-256 of libLibTorchSharp.so for linux-x64 as shipped in the TorchSharp 0.107.0 package.</summary>
    private const string ShippedLibTorchSharpSha256 = "CF33B1B0BB6BBB9754A768FB5C5D04D9F498603BE50E73F55621A0B40EE608B8";

    [Fact]
    public void TorchSharp_loads_and_computes()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = torch.tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        Assert.Equal(new float[] { 7, 10, 15, 22 }, a.matmul(a).data<float>().ToArray());
        Tensor x = torch.tensor(new float[] { 3 }, requires_grad: true);
        Tensor y = (x * x).sum();
        y.backward();
        Assert.Equal(6f, x.grad!.item<float>());
        Assert.StartsWith("2.10", torch.__version__);
    }

    [Fact]
    public void The_build_output_copy_of_libLibTorchSharp_differs_from_the_package_only_in_the_weakened_requirement()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess) return; // the fix applies to Linux x64 only
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string shipped = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        byte[] built = File.ReadAllBytes(output), original = File.ReadAllBytes(shipped);
        string shippedHash = Convert.ToHexString(SHA256.HashData(original));
        Assert.True(shippedHash == ShippedLibTorchSharpSha256, $"the NuGet cache's {shipped} was written to: sha256 {shippedHash}, shipped {ShippedLibTorchSharpSha256}");
        Assert.Equal(original.Length, built.Length);
        int[] changed = Enumerable.Range(0, built.Length).Where(i => built[i] != original[i]).ToArray();
        string library = LoadedLibStdCxx();
        bool defines = SystemLibStdCxxDefines(library, "GLIBCXX_3.4.32");
        // Said in every failure: which libstdc++ decided, and what the build did to the copy.
        string seen = $"{library} {(defines ? "defines" : "lacks")} GLIBCXX_3.4.32; {changed.Length} byte(s) of {output} differ from {shipped}";
        if (defines)
        {
            Assert.True(changed.Length == 0, seen); // nothing to fix on Debian 13, Ubuntu 24.04 and newer
        }
        else
        {
            // One Elf64_Vernaux flags field: the VER_FLG_WEAK bit (2) set, nothing else.
            Assert.True(changed.Length == 1 && (built[changed[0]] ^ original[changed[0]]) == 2, seen);
        }
    }

    [Fact]
    public void No_tensor_outlives_a_fit_or_a_transform()
    {
        IDataView data = MarketingData.View(shops: 4, length: 30);
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        var pipeline = mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = Api.EstimatorTests.Tiny() })
            .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Api.EstimatorTests.Tiny() }));
        // TorchSharp counts, per thread, the tensors created and not yet disposed; fit and transform run on this thread.
        // (Its process-wide Tensor.TotalCount also counts wrappers TorchSharp itself leaves to the finalizer while
        // building modules, so it cannot tell our leaks from its own.)
        static long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long before = Live();
        var fitted = pipeline.Fit(data);
        using (WideTransformer wide = mmm.Forecasting.Trainers.Wide(epochs: 5).Fit(data))
        {
            long afterFit = Live();
            Assert.True(afterFit > before, "the fitted models hold their weights");
            Assert.NotEmpty(MarketingData.Fingerprint(fitted.Transform(data)));
            Assert.NotEmpty(MarketingData.Fingerprint(wide.Transform(data)));
            Assert.Equal(afterFit, Live()); // a transform leaves nothing behind
        }
        foreach (IDisposable part in fitted.OfType<IDisposable>()) part.Dispose();
        Assert.Equal(before, Live()); // what is left after a fit is the models' own, and goes with them
    }

    /// <summary>The libstdc++ this process loaded (the .NET host links it), as the build's fix reads it in MSBuild's.</summary>
    private static string LoadedLibStdCxx()
    {
        string? library = File.ReadLines("/proc/self/maps").Select(l => l.IndexOf('/') is var i and >= 0 ? l[i..].Trim() : "")
            .FirstOrDefault(p => p.Contains("/libstdc++.so", StringComparison.Ordinal));
        Assert.True(library is not null, "no libstdc++ in /proc/self/maps");
        return library!;
    }

    private static bool SystemLibStdCxxDefines(string library, string version)
    {
        byte[] bytes = File.ReadAllBytes(library), name = Encoding.ASCII.GetBytes(version + "\0");
        return bytes.AsSpan().IndexOf(name) >= 0;
    }
}
