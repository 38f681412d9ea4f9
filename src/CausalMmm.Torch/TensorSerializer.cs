using System.Buffers.Binary;
using System.Text;

namespace CausalMmm.Torch;

/// <summary>
/// Reads and writes named tensors in a small, documented binary format, so that anyone can implement it:
/// <code>
/// magic    8 bytes  "CMMTENS1"
/// count    int32    number of entries
/// entry:   int32 name length, UTF-8 name,
///          int32 dtype (0 float32, 1 float64, 2 int64, 3 bool), int32 ndim, int64[ndim] shape,
///          int64 byte count, raw elements row-major (little-endian; bool as one byte 0/1)
/// </code>
/// Tensors are always written from, and read to, the CPU, so a GPU-trained state loads anywhere.
/// </summary>
public static class TensorSerializer
{
    private static readonly byte[] Magic = "CMMTENS1"u8.ToArray();

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="stream"/>, in key order.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(tensors.Count);
        foreach ((string name, Tensor tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            writer.Write(nameBytes.Length);
            writer.Write(nameBytes);
            ScalarType dtype = tensor.dtype;
            long[] shape = tensor.shape;
            writer.Write((int)dtype);
            writer.Write(shape.Length);
            foreach (long s in shape) writer.Write(s);
            byte[] payload = ToBytes(tensor, dtype);
            writer.Write((long)payload.Length);
            writer.Write(payload);
        }
    }

    /// <summary>Reads tensors written by <see cref="Write"/>; the caller owns (and disposes) them.</summary>
    /// <exception cref="InvalidDataException">The stream is not in this format, or is truncated or inconsistent.</exception>
    public static Dictionary<string, Tensor> Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            byte[] magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException("Not a CausalMmm tensor file: the header is not 'CMMTENS1'.");
            }
            int count = reader.ReadInt32();
            if (count < 0) throw new InvalidDataException($"Negative entry count {count}.");
            for (int i = 0; i < count; i++)
            {
                int nameLength = reader.ReadInt32();
                if (nameLength is < 0 or > 4096) throw new InvalidDataException($"Entry {i}: implausible name length {nameLength}.");
                string name = Encoding.UTF8.GetString(ReadExactly(reader, nameLength, $"entry {i} name"));
                int dtypeCode = reader.ReadInt32();
                if (dtypeCode is < 0 or > 3) throw new InvalidDataException($"Entry '{name}': unknown dtype code {dtypeCode}.");
                var dtype = (ScalarType)dtypeCode;
                int ndim = reader.ReadInt32();
                if (ndim is < 0 or > 16) throw new InvalidDataException($"Entry '{name}': implausible rank {ndim}.");
                var shape = new long[ndim];
                long numel = 1;
                for (int d = 0; d < ndim; d++)
                {
                    shape[d] = reader.ReadInt64();
                    if (shape[d] < 0) throw new InvalidDataException($"Entry '{name}': negative size in shape.");
                    numel = checked(numel * shape[d]);
                }
                long byteCount = reader.ReadInt64();
                if (byteCount != checked(numel * ElementSize(dtype)))
                {
                    throw new InvalidDataException($"Entry '{name}': {byteCount} bytes do not match shape [{string.Join(", ", shape)}] of {dtype}.");
                }
                byte[] payload = ReadExactly(reader, checked((int)byteCount), $"entry '{name}' data");
                if (!result.TryAdd(name, FromBytes(payload, dtype, shape)))
                {
                    throw new InvalidDataException($"Entry '{name}' appears twice.");
                }
            }
            return result;
        }
        catch (Exception ex) when (ex is EndOfStreamException or OverflowException)
        {
            foreach (Tensor t in result.Values) t.Dispose();
            throw new InvalidDataException("The tensor file is truncated or corrupt: " + ex.Message, ex);
        }
        catch
        {
            foreach (Tensor t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Writes to <paramref name="path"/> through a temporary file and a rename, so a crash never leaves half a file.</summary>
    public static void Save(IReadOnlyDictionary<string, Tensor> tensors, string path)
    {
        string fullPath = Path.GetFullPath(path);
        string temporary = fullPath + ".tmp-" + Environment.ProcessId;
        using (FileStream stream = File.Create(temporary))
        {
            Write(stream, tensors);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, fullPath, overwrite: true);
    }

    /// <summary>Reads the tensors stored at <paramref name="path"/>.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        try
        {
            return Read(stream);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    private static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => 4,
        ScalarType.Float64 => 8,
        ScalarType.Int64 => 8,
        _ => 1,
    };

    private static byte[] ReadExactly(BinaryReader reader, int count, string what)
    {
        byte[] bytes = reader.ReadBytes(count);
        if (bytes.Length != count) throw new EndOfStreamException($"{what}: expected {count} bytes, found {bytes.Length}.");
        return bytes;
    }

    private static byte[] ToBytes(Tensor tensor, ScalarType dtype)
    {
        switch (dtype)
        {
            case ScalarType.Float32:
            {
                float[] values = tensor.ToArray<float>();
                var bytes = new byte[values.Length * 4];
                for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
                return bytes;
            }
            case ScalarType.Float64:
            {
                double[] values = tensor.ToArray<double>();
                var bytes = new byte[values.Length * 8];
                for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
                return bytes;
            }
            case ScalarType.Int64:
            {
                long[] values = tensor.ToArray<long>();
                var bytes = new byte[values.Length * 8];
                for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
                return bytes;
            }
            default:
                return tensor.ToArray<bool>().Select(b => b ? (byte)1 : (byte)0).ToArray();
        }
    }

    private static Tensor FromBytes(byte[] bytes, ScalarType dtype, long[] shape)
    {
        switch (dtype)
        {
            case ScalarType.Float32:
            {
                var values = new float[bytes.Length / 4];
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
                return torch.tensor(values, shape).DetachFromDisposeScope();
            }
            case ScalarType.Float64:
            {
                var values = new double[bytes.Length / 8];
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * 8));
                return torch.tensor(values, shape).DetachFromDisposeScope();
            }
            case ScalarType.Int64:
            {
                var values = new long[bytes.Length / 8];
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8));
                return torch.tensor(values, shape).DetachFromDisposeScope();
            }
            default:
                return torch.tensor(bytes.Select(b => b != 0).ToArray(), shape).DetachFromDisposeScope();
        }
    }
}
