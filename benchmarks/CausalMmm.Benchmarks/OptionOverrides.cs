using System.Reflection;
using System.Globalization;
using CausalMmm.Modeling;

namespace CausalMmm.Benchmarks;

/// <summary>
/// Option overrides from the command line (<c>--set LearningRate=0.005,HiddenSize=32</c>; <c>null</c> clears an optional one), so that a hyperparameter
/// study is reproducible from the command a benchmark prints.
/// </summary>
internal static class OptionOverrides
{
    /// <summary>
    /// An action that sets each named <see cref="CausalMmmOptions"/> field, public or internal (the architecture switches the
    /// estimators keep internal are what a study varies); fails at once on an unknown name or a bad value.
    /// </summary>
    public static Action<CausalMmmOptions> Parse(string overrides)
    {
        var settings = overrides.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).ToArray();
        void Apply(CausalMmmOptions o)
        {
            foreach (string[] kv in settings)
            {
                var field = typeof(CausalMmmOptions).GetField(kv[0].Trim(), BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance) ?? throw new ArgumentException($"CausalMmmOptions has no option '{kv[0]}'.");
                if (kv.Length < 2) throw new ArgumentException($"Option '{kv[0]}' has no value; write {kv[0]}=value.");
                Type type = Nullable.GetUnderlyingType(field.FieldType) ?? field.FieldType;
                bool isNull = type != field.FieldType && kv[1].Trim().Equals("null", StringComparison.OrdinalIgnoreCase);
                field.SetValue(o, isNull ? null : type.IsEnum ? Enum.Parse(type, kv[1], ignoreCase: true) : Convert.ChangeType(kv[1], type, CultureInfo.InvariantCulture));
            }
        }
        Apply(new CausalMmmOptions()); // a bad name or value fails here, before any training
        return Apply;
    }
}
