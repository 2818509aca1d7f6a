using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Takedowns.Contracts;
using Takedowns.Publishing.Patterns;

namespace Takedowns.Publishing.Statistics;

/// <summary>The classifying variables of the public tables, in the order of their bits in a table's mask.</summary>
public enum Variable { Country = 0, Platform = 1, Category = 2, SubjectType = 3, Action = 4 }

/// <summary>
/// What is published: for every period of a grain, the tables of incidents by any one or two of the classifying variables,
/// the table by country, platform and category together, and the period's total, all sums of the same incidents. Finer
/// tables are not published: most of their cells would be suppressed, and each table published narrows what an attacker
/// can work out.
/// </summary>
public static class PublicLattice
{
    public const int Variables = 5;

    public static readonly string[] Names = ["country", "platform", "category", "subjectType", "action"];

    public const int CountryPlatformCategory = 0b00111;

    /// <summary>The published tables, as masks of their variables.</summary>
    public static readonly IReadOnlyList<int> Tables = Enumerable.Range(0, 1 << Variables)
        .Where(t => int.PopCount(t) <= 2 || t == CountryPlatformCategory).ToList();

    public static bool Publishes(int table) => int.PopCount(table) <= 2 || table == CountryPlatformCategory;

    public static int MaskOf(IEnumerable<Variable> variables) => variables.Aggregate(0, (m, v) => m | (1 << (int)v));

    /// <summary>The value a cell has on each variable, as published (wire names; "unknown" where a cell predates the variable).</summary>
    public static string[] KeyOf(PatternCell c) =>
    [
        c.Country,
        WireNames<Platform>.Of(c.Platform),
        WireNames<GroundCategory>.Of(c.Category),
        c.SubjectType is { } s ? WireNames<SubjectType>.Of(s) : "unknown",
        c.Action is { } a ? WireNames<TakedownAction>.Of(a) : "unknown",
    ];
}

/// <summary>A published cell of one period: its table, its values on the table's variables, and its count unless suppressed.</summary>
public sealed record PublishedCell(DateOnly Period, int Table, IReadOnlyList<string?> Key, int? Count)
{
    public bool Suppressed => Count is null;
}

/// <summary>
/// Builds the protected tables of each period from the finest cells: each (grain, period) is one block, protected as a
/// whole by <see cref="Suppression"/> (every table of <see cref="PublicLattice"/> at once), so no suppressed cell can be
/// worked out from the period's total, its margins or its other groupings. A block is protected once for the counts it
/// holds and kept in memory until its counts change. A block whose audit takes longer than the budget
/// (<c>Publishing:ProtectionBudget</c>) shows only its total, which needs no audit.
/// </summary>
public sealed class ProtectedTables
{
    private readonly ConcurrentDictionary<(Grain, DateOnly, int), (string Fingerprint, IReadOnlyList<PublishedCell> Cells)> _blocks = new();

    /// <summary>Every published cell of the periods of <paramref name="grain"/> that the given finest cells fall in.</summary>
    public IReadOnlyList<PublishedCell> Build(IEnumerable<PatternCell> cells, Grain grain, int k, TimeSpan? budget = null)
    {
        var published = new List<PublishedCell>();
        foreach (var period in cells.Where(c => c.Count > 0).GroupBy(c => PatternTable.PeriodStart(c.Day, grain)).OrderBy(g => g.Key))
        {
            var atoms = period.GroupBy(c => string.Join('\u001f', PublicLattice.KeyOf(c)), StringComparer.Ordinal)
                .Select(g => new Atom(PublicLattice.KeyOf(g.First()), g.Sum(c => c.Count)))
                .Where(a => a.Count > 0)
                .OrderBy(a => string.Join('\u001f', a.Key), StringComparer.Ordinal)
                .ToList();
            string fingerprint = Fingerprint(atoms);
            var key = (grain, period.Key, k);
            if (!_blocks.TryGetValue(key, out var block) || block.Fingerprint != fingerprint)
            {
                var protectedCells = Suppression.Protect(atoms, PublicLattice.Tables, k, budget)
                    .Select(c => new PublishedCell(period.Key, c.Table, c.Key, c.Suppressed ? null : c.Count)).ToList();
                _blocks[key] = block = (fingerprint, protectedCells);
            }
            published.AddRange(block.Cells);
        }
        return published;
    }

    private static string Fingerprint(IReadOnlyList<Atom> atoms)
    {
        var text = new StringBuilder();
        foreach (var a in atoms) text.AppendJoin('\u001f', a.Key).Append('=').Append(a.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
