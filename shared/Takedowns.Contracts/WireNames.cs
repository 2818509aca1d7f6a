using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Takedowns.Contracts;

/// <summary>Maps taxonomy values to and from their snake_case wire names (query strings, CSV, validation).</summary>
public static class WireNames<TEnum> where TEnum : struct, Enum
{
    private static readonly FrozenDictionary<TEnum, string> ToWire = typeof(TEnum)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .ToFrozenDictionary(
            f => (TEnum)f.GetValue(null)!,
            f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name);

    private static readonly FrozenDictionary<string, TEnum> FromWire =
        ToWire.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> All { get; } = ToWire.Values.Order(StringComparer.Ordinal).ToArray();

    public static string Of(TEnum value) => ToWire[value];

    public static bool TryParse(string? wire, out TEnum value) => FromWire.TryGetValue(wire ?? "", out value);
}
