using System.Text.Json;
using System.Text.RegularExpressions;

namespace CausalMmm.Data;

/// <summary>
/// How to read a marketing CSV: which columns hold the shop and the date, the role of every variable and which
/// variables may be negative. Roles not given explicitly are inferred from column names (see <see cref="InferRole"/>).
/// Can be read from a small JSON schema file with <see cref="Load"/>.
/// </summary>
public sealed partial class MarketingSchema
{
    /// <summary>Defaults used when a setting is left unset.</summary>
    public static class Defaults
    {
        /// <summary>Shop column names tried in order when <see cref="ShopColumn"/> is null.</summary>
        public static readonly IReadOnlyList<string> ShopColumns = new[] { "shop_id", "shop", "store_id", "store", "geo" };

        /// <summary>Date column names tried in order when <see cref="DateColumn"/> is null.</summary>
        public static readonly IReadOnlyList<string> DateColumns = new[] { "ds", "date", "day", "week" };

        /// <summary>Accepted date formats: the AirMMM sample's yyyymmdd, then ISO dates.</summary>
        public static readonly IReadOnlyList<string> DateFormats = new[] { "yyyyMMdd", "yyyy-MM-dd", "yyyy/MM/dd" };
    }

    /// <summary>The shop id column; null tries <see cref="Defaults.ShopColumns"/>.</summary>
    public string? ShopColumn { get; set; }

    /// <summary>The date column; null tries <see cref="Defaults.DateColumns"/>.</summary>
    public string? DateColumn { get; set; }

    /// <summary>Date formats tried in order.</summary>
    public IList<string> DateFormats { get; set; } = Defaults.DateFormats.ToList();

    /// <summary>Explicit roles by column (wide) or variable (long) name; they win over inference.</summary>
    public IDictionary<string, VariableRole> Roles { get; set; } = new Dictionary<string, VariableRole>(StringComparer.Ordinal);

    /// <summary>Variables allowed to go below zero even when they are channels.</summary>
    public ISet<string> Unconstrained { get; set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Columns to skip.</summary>
    public ISet<string> Ignore { get; set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Infer the role of columns without an explicit one (default true); when false every column needs a role.</summary>
    public bool InferRoles { get; set; } = true;

    /// <summary>Long format: the column holding the variable name.</summary>
    public string VariableColumn { get; set; } = "variable";

    /// <summary>Long format: the column holding the value.</summary>
    public string ValueColumn { get; set; } = "value";

    /// <summary>Sets the role of <paramref name="name"/> and returns this schema, for fluent set-up.</summary>
    public MarketingSchema WithRole(string name, VariableRole role, bool unconstrained = false)
    {
        Roles[name] = role;
        if (unconstrained) Unconstrained.Add(name);
        return this;
    }

    /// <summary>
    /// The role a column name suggests, or null: <c>context*</c>/<c>ctx*</c> are context; <c>x0</c>, <c>*spend*</c>,
    /// <c>*cost*</c>, <c>*impressions*</c> are channels; <c>pv</c>, <c>page_views</c>, <c>visits</c>, <c>clicks</c>,
    /// <c>sessions</c> are mediators; <c>gmv</c>, <c>sales</c>, <c>revenue</c>, <c>conversions</c>, <c>y</c> the target;
    /// <c>holiday*</c>, <c>promo*</c>, <c>price*</c>, <c>event*</c> covariates.
    /// </summary>
    public static VariableRole? InferRole(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n.StartsWith("context", StringComparison.Ordinal) || n.StartsWith("ctx", StringComparison.Ordinal)) return VariableRole.Context;
        if (ChannelPattern().IsMatch(n) || n.Contains("spend") || n.Contains("cost") || n.Contains("impression")) return VariableRole.Channel;
        if (n is "pv" or "page_views" or "pageviews" or "visits" or "clicks" or "sessions" or "uv") return VariableRole.Mediator;
        if (n is "gmv" or "sales" or "revenue" or "conversions" or "y" or "target") return VariableRole.Target;
        if (n.StartsWith("holiday", StringComparison.Ordinal) || n.StartsWith("promo", StringComparison.Ordinal)
            || n.StartsWith("price", StringComparison.Ordinal) || n.StartsWith("event", StringComparison.Ordinal)) return VariableRole.Covariate;
        return null;
    }

    /// <summary>The role of <paramref name="name"/>: explicit, else inferred, else null.</summary>
    public VariableRole? RoleOf(string name) =>
        Roles.TryGetValue(name, out VariableRole role) ? role : InferRoles ? InferRole(name) : null;

    /// <summary>
    /// Reads a JSON schema file: <c>{"shop": "shop_id", "date": "ds", "dateFormat": "yyyyMMdd",
    /// "roles": {"x0": "channel", "pv": "mediator", "gmv": "target"}, "unconstrained": ["x0"], "ignore": [],
    /// "inferRoles": true}</c>. Every key is optional.
    /// </summary>
    /// <exception cref="PanelDataException">The file is not valid JSON or names an unknown role or key.</exception>
    public static MarketingSchema Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new PanelDataException($"The schema is not valid JSON ({ex.Message}).", path, (int?)(ex.LineNumber + 1), inner: ex);
        }
        using (document)
        {
            var schema = new MarketingSchema();
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new PanelDataException("The schema must be a JSON object.", path);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "shop": schema.ShopColumn = property.Value.GetString(); break;
                    case "date": schema.DateColumn = property.Value.GetString(); break;
                    case "dateFormat": schema.DateFormats = new List<string> { property.Value.GetString()! }; break;
                    case "variable": schema.VariableColumn = property.Value.GetString()!; break;
                    case "value": schema.ValueColumn = property.Value.GetString()!; break;
                    case "inferRoles": schema.InferRoles = property.Value.GetBoolean(); break;
                    case "unconstrained": foreach (JsonElement e in property.Value.EnumerateArray()) schema.Unconstrained.Add(e.GetString()!); break;
                    case "ignore": foreach (JsonElement e in property.Value.EnumerateArray()) schema.Ignore.Add(e.GetString()!); break;
                    case "roles":
                        foreach (JsonProperty role in property.Value.EnumerateObject())
                        {
                            string text = role.Value.GetString() ?? "";
                            if (!Enum.TryParse(text, ignoreCase: true, out VariableRole parsed) || int.TryParse(text, out _))
                                throw new PanelDataException($"Unknown role '{text}' for '{role.Name}'. Use one of: {string.Join(", ", Enum.GetNames<VariableRole>().Where(r => r != nameof(VariableRole.Feature)))}.", path, column: role.Name, value: text);
                            schema.Roles[role.Name] = parsed;
                        }
                        break;
                    default:
                        throw new PanelDataException($"Unknown schema key '{property.Name}'. Known keys: shop, date, dateFormat, variable, value, roles, unconstrained, ignore, inferRoles.", path, value: property.Name);
                }
            }
            return schema;
        }
    }

    [GeneratedRegex("^x\\d+$")]
    private static partial Regex ChannelPattern();
}
