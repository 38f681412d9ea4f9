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
