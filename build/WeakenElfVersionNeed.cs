// An MSBuild task (compiled by RoslynCodeTaskFactory from Directory.Build.targets) that marks one symbol-version
// requirement of an ELF shared library weak, so the dynamic loader accepts a system library that lacks the version.
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so was linked by GCC 13 and lists GLIBCXX_3.4.32 among its version
// requirements. Debian 12's libstdc++ (GCC 12) defines versions up to GLIBCXX_3.4.30, so the library does not load.
// The only symbol of that version it references is _ZSt21ios_base_library_initv, a marker the linker adds and no
// relocation ever binds. A weak requirement (VER_FLG_WEAK in .gnu.version_r) makes the loader accept its absence.
// That is only sound when no relocation needs a symbol of the version, so the task checks that and otherwise refuses.
//
// The task only ever replaces files in an output folder: it writes a new file and renames it over the old name, so a
// hard link or symbolic link into the NuGet cache is never written through, and folders listed as protected are skipped.
// This file lives outside every project folder on purpose: the SDK's default Compile glob would otherwise compile it
// into a project (which does not reference Microsoft.Build).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenElfVersionNeed : Task
{
    /// <summary>The libraries to patch; files that do not exist are ignored.</summary>
    [Required]
    public ITaskItem[] Files { get; set; }

    /// <summary>The version requirement to make weak, for example GLIBCXX_3.4.32.</summary>
    [Required]
    public string Version { get; set; }

    /// <summary>auto (only when the system libstdc++ lacks the version), always, or never.</summary>
    public string Mode { get; set; }

    /// <summary>The library whose version definitions decide 'auto'; empty means the libstdc++ the build process loaded.</summary>
    public string SystemLibrary { get; set; }

    /// <summary>Folders whose files are never touched (the NuGet package root), separated by ';'.</summary>
    public string ProtectedFolders { get; set; }

    /// <summary>The files that were changed.</summary>
    [Output]
    public ITaskItem[] PatchedFiles { get; set; }

    public override bool Execute()
    {
        PatchedFiles = new ITaskItem[0];
        string mode = (Mode ?? "auto").Trim().ToLowerInvariant();
        if (mode == "never") return true;
        if (mode != "auto" && mode != "always")
        {
            Log.LogError("LibTorchSharpWeakGlibcxx must be auto, always or never; it is '{0}'.", Mode);
            return false;
        }
        List<string> files = (Files ?? new ITaskItem[0]).Select(item => item.GetMetadata("FullPath")).Where(File.Exists).Distinct().ToList();
        if (files.Count == 0) return true;

        if (mode == "auto" && SystemDefinesVersion()) return true;

        List<string> protectedFolders = (ProtectedFolders ?? "").Split(';').Select(f => f.Trim()).Where(f => f.Length > 0)
            .Select(f => Path.GetFullPath(f).TrimEnd('/') + "/").ToList();
        var patched = new List<ITaskItem>();
        foreach (string file in files)
        {
            if (protectedFolders.Any(folder => file.StartsWith(folder, StringComparison.Ordinal)))
            {
                Log.LogWarning("Not patching {0}: it lies in the NuGet package folder, which is never written to.", file);
                continue;
            }
            try
            {
                byte[] bytes = File.ReadAllBytes(file);
                var elf = new ElfImage(bytes);
                string refusal;
                int changed = elf.MakeRequirementWeak(Version, out refusal);
                if (refusal != null)
                {
                    Log.LogWarning("Not patching {0}: {1}", file, refusal);
                    continue;
                }
                if (changed == 0)
                {
                    Log.LogMessage(MessageImportance.Low, "{0} does not require {1}, or requires it weakly already.", file, Version);
                    continue;
                }
                ReplaceFile(file, bytes);
                Log.LogMessage(MessageImportance.High, "{0}: marked the {1} requirement weak (this machine's libstdc++ lacks it).", file, Version);
                patched.Add(new TaskItem(file));
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException || e is ArgumentException || e is IndexOutOfRangeException || e is OverflowException)
            {
                Log.LogWarning("Could not patch {0}: {1}", file, e.Message);
            }
        }
        PatchedFiles = patched.ToArray();
        return !Log.HasLoggedErrors;
    }

    private bool SystemDefinesVersion()
    {
        string library = string.IsNullOrEmpty(SystemLibrary) ? LoadedLibStdCxx() : SystemLibrary;
        if (library == null || !File.Exists(library))
        {
            Log.LogMessage(MessageImportance.Low, "No system libstdc++ found; weakening {0} (harmless where it exists).", Version);
            return false;
        }
        try
        {
            bool defines = new ElfImage(File.ReadAllBytes(library)).DefinedVersions().Contains(Version);
            Log.LogMessage(MessageImportance.Low, "{0} {1} {2}.", library, defines ? "defines" : "lacks", Version);
            return defines;
        }
        catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException || e is IndexOutOfRangeException || e is ArgumentException || e is OverflowException)
        {
            Log.LogWarning("Could not read the version definitions of {0} ({1}); weakening {2} anyway.", library, e.Message, Version);
            return false;
        }
    }

    /// <summary>The libstdc++ the dynamic loader chose for this process (the .NET host links it), else a usual path.</summary>
    private static string LoadedLibStdCxx()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                int path = line.IndexOf('/');
                if (path >= 0 && line.Contains("/libstdc++.so")) return line.Substring(path).Trim();
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        string[] usual = { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" };
        return usual.FirstOrDefault(File.Exists);
    }

    /// <summary>Writes the new contents beside the file, then renames it over the old name, keeping mode and timestamp.</summary>
    private static void ReplaceFile(string file, byte[] contents)
    {
        DateTime written = File.GetLastWriteTimeUtc(file);
        string temporary = file + ".weak-glibcxx.tmp";
        File.Copy(file, temporary, true); // a copy is a new inode with the same permissions
        using (var stream = new FileStream(temporary, FileMode.Truncate, FileAccess.Write)) stream.Write(contents, 0, contents.Length);
        File.Delete(file); // RoslynCodeTaskFactory compiles against netstandard, which has no File.Move overwrite overload
        File.Move(temporary, file);
        // The package's timestamp and size, so incremental builds see the copy as up to date and leave it alone.
        File.SetLastWriteTimeUtc(file, written);
    }

    /// <summary>Just enough of a 64-bit little-endian ELF image to read and edit symbol versioning.</summary>
    private sealed class ElfImage
    {
        private const uint SectionRela = 4, SectionRel = 9, SectionDynamicSymbols = 11;
        private const uint SectionVersionDefinitions = 0x6ffffffd, SectionVersionNeeds = 0x6ffffffe, SectionVersionSymbols = 0x6fffffff;
        private const ushort WeakFlag = 0x2;

        private readonly byte[] _bytes;
        private readonly List<SectionHeader> _sections = new List<SectionHeader>();

        private struct SectionHeader
        {
            public uint Type;
            public long Offset;
            public long Size;
            public int Link;
            public uint Info;
        }

        public ElfImage(byte[] bytes)
        {
            _bytes = bytes;
            if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
                throw new InvalidDataException("not an ELF file");
            if (bytes[4] != 2 || bytes[5] != 1) throw new InvalidDataException("not a 64-bit little-endian ELF file");
            long table = (long)U64(0x28);
            int entrySize = U16(0x3A), count = U16(0x3C);
            for (int i = 0; i < count; i++)
            {
                long at = table + (long)i * entrySize;
                _sections.Add(new SectionHeader { Type = U32(at + 4), Offset = (long)U64(at + 24), Size = (long)U64(at + 32), Link = (int)U32(at + 40), Info = U32(at + 44) });
            }
        }

        /// <summary>The names of the versions this library defines (its .gnu.version_d).</summary>
        public HashSet<string> DefinedVersions()
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (SectionHeader section in _sections.Where(s => s.Type == SectionVersionDefinitions))
            {
                SectionHeader strings = _sections[section.Link];
                long definition = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    // Elf64_Verdef: vd_aux at +12, vd_next at +16; the first Elf64_Verdaux's vda_name names the version.
                    names.Add(Text(strings, U32(definition + U32(definition + 12))));
                    uint next = U32(definition + 16);
                    if (next == 0) break;
                    definition += next;
                }
            }
            return names;
        }

        /// <summary>
        /// Sets the weak flag on every requirement of <paramref name="version"/> and returns how many changed; refuses (and
        /// changes nothing) when a relocation binds a symbol of that version, because such a symbol must resolve.
        /// </summary>
        public int MakeRequirementWeak(string version, out string refusal)
        {
            refusal = null;
            var requirements = new List<KeyValuePair<long, ushort>>(); // where the flags are, and the version index
            foreach (SectionHeader section in _sections.Where(s => s.Type == SectionVersionNeeds))
            {
                SectionHeader strings = _sections[section.Link];
                long need = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    // Elf64_Verneed: vn_cnt at +2, vn_aux at +8, vn_next at +12.
                    ushort auxiliaries = U16(need + 2);
                    long aux = need + U32(need + 8);
                    for (int k = 0; k < auxiliaries; k++)
                    {
                        // Elf64_Vernaux: vna_flags at +4, vna_other (the version index) at +6, vna_name at +8, vna_next at +12.
                        if (Text(strings, U32(aux + 8)) == version) requirements.Add(new KeyValuePair<long, ushort>(aux + 4, U16(aux + 6)));
                        uint nextAux = U32(aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = U32(need + 12);
                    if (next == 0) break;
                    need += next;
                }
            }
            if (requirements.Count == 0) return 0;

            int symbolsIndex = _sections.FindIndex(s => s.Type == SectionDynamicSymbols);
            int versionsIndex = _sections.FindIndex(s => s.Type == SectionVersionSymbols);
            if (symbolsIndex < 0 || versionsIndex < 0)
            {
                refusal = "it has no .dynsym or .gnu.version section, so the symbols of " + version + " cannot be checked";
                return 0;
            }
            SectionHeader symbols = _sections[symbolsIndex], versions = _sections[versionsIndex], names = _sections[symbols.Link];
            var indexes = new HashSet<ushort>(requirements.Select(r => r.Value));
            var versioned = new Dictionary<long, string>();
            for (long symbol = 0; symbol < symbols.Size / 24; symbol++)
            {
                if (indexes.Contains((ushort)(U16(versions.Offset + 2 * symbol) & 0x7fff)))
                    versioned[symbol] = Text(names, U32(symbols.Offset + 24 * symbol));
            }
            foreach (SectionHeader section in _sections.Where(s => (s.Type == SectionRela || s.Type == SectionRel) && s.Link == symbolsIndex))
            {
                long entry = section.Type == SectionRela ? 24 : 16;
                for (long at = section.Offset; at + entry <= section.Offset + section.Size; at += entry)
                {
                    string name;
                    if (versioned.TryGetValue((long)(U64(at + 8) >> 32), out name))
                    {
                        refusal = "a relocation binds " + name + "@" + version + ", so that version must really exist; install a libstdc++ that provides it";
                        return 0;
                    }
                }
            }

            int changed = 0;
            foreach (KeyValuePair<long, ushort> requirement in requirements)
            {
                ushort flags = U16(requirement.Key);
                if ((flags & WeakFlag) != 0) continue;
                flags |= WeakFlag;
                _bytes[requirement.Key] = (byte)flags;
                _bytes[requirement.Key + 1] = (byte)(flags >> 8);
                changed++;
            }
            return changed;
        }

        private ushort U16(long at) => BitConverter.ToUInt16(_bytes, checked((int)at));

        private uint U32(long at) => BitConverter.ToUInt32(_bytes, checked((int)at));

        private ulong U64(long at) => BitConverter.ToUInt64(_bytes, checked((int)at));

        private string Text(SectionHeader strings, uint offset)
        {
            int start = checked((int)(strings.Offset + offset)), end = start;
            while (_bytes[end] != 0) end++;
            return Encoding.ASCII.GetString(_bytes, start, end - start);
        }
    }
}
