using System.Reflection;
using System.Runtime.InteropServices;

namespace CausalMmm.Torch.Interop;

/// <summary>
/// Finds libcausalmmm_native beside the managed assemblies, and turns a failure to load it into one
/// message that names the library, the paths tried and how to fix the installation.
/// </summary>
internal static class NativeLibraryResolver
{
    private static int s_registered;

    internal static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeMethods.LibraryName)
        {
            return IntPtr.Zero;
        }

        string fileName = "lib" + NativeMethods.LibraryName + ".so";
        var candidates = new List<string>();
        string? overrideDirectory = Environment.GetEnvironmentVariable("CAUSALMMM_NATIVE_DIR");
        if (!string.IsNullOrEmpty(overrideDirectory))
        {
            candidates.Add(Path.Combine(overrideDirectory, fileName));
        }
        candidates.Add(Path.Combine(AppContext.BaseDirectory, fileName));
        string? assemblyDirectory = Path.GetDirectoryName(assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDirectory))
        {
            candidates.Add(Path.Combine(assemblyDirectory, fileName));
        }

        PrepareThreadingEnvironment();
        var failures = new List<string>();
        foreach (string path in candidates.Distinct())
        {
            if (!File.Exists(path))
            {
                failures.Add($"{path} (not found)");
                continue;
            }
            if (NativeLibrary.TryLoad(path, out IntPtr loaded))
            {
                return loaded;
            }
            failures.Add($"{path} (found but could not be loaded: {DescribeLoadFailure(path)})");
        }

        throw new DllNotFoundException(
            $"Could not load the native library {fileName}. Tried: {string.Join("; ", failures)}. " +
            "It is built by 'dotnet build' from src/CausalMmm.Native and needs libtorch at run time: " +
            "install it with 'apt-get install -y libtorch-dev libopenblas0-pthread cmake g++' (or run scripts/setup.sh), " +
            "rebuild, or set CAUSALMMM_NATIVE_DIR to the folder that holds the library.");
    }

    /// <summary>
    /// libtorch's OpenMP pool spins between parallel regions by default, and on a small machine it then fights
    /// OpenBLAS's own threads for the cores: training ran 2.4x slower with 2 threads than with 1 on 2 cores.
    /// A passive wait policy removes the contention. libgomp reads it once, when libtorch loads, so it is set
    /// in the process environment just before that (unless the user has set it).
    /// </summary>
    internal static void PrepareThreadingEnvironment()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null)
        {
            return;
        }
        // Environment.SetEnvironmentVariable only changes .NET's copy on Unix; native code reads libc's.
        _ = LibC.setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
        Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE");
    }

    private static string DescribeLoadFailure(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return "unknown reason";
        }
        catch (DllNotFoundException ex)
        {
            return ex.Message;
        }
    }
}

/// <summary>The one libc call the binding needs.</summary>
internal static partial class LibC
{
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int setenv(string name, string value, int overwrite);
}
