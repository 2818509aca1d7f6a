using CsCheck;
using Google.OrTools.LinearSolver;
using Takedowns.Publishing.Statistics;

namespace Takedowns.Publishing.Tests.Statistics;

/// <summary>
/// Random blocks of linked tables (random classifying variables and values, sparse counts, mostly small, and a random
/// choice of the groupings published: totals, margins, two-way tables, the full table), protected at a random k; an
/// attacker who knows every published count, that counts are never negative and which finest cells are empty, bounds each
/// suppressed cell by linear programming over every published table of the block. Every suppressed cell's feasible
/// interval must be at least k wide, and no published cell may hold 1 to k-1 reports. The attacker is written apart from
/// the service's audit: it reads only what is published.
/// </summary>
public sealed class SuppressionPropertyTests
{
    /// <param name="OutOfTime">Protected with no time at all: the fallback (only the total shown) must be as safe.</param>
    public sealed record Block(int[] Sizes, IReadOnlyList<Atom> Atoms, IReadOnlyList<int> Tables, int K, bool OutOfTime = false);

    private static readonly Gen<Block> Blocks =
        from sizes in Gen.Int[1, 4].Array[2, 3]
        from k in Gen.OneOf(Gen.Const(3), Gen.Const(5))
        let combos = Combos(sizes).ToList()
        from counts in Gen.Frequency(
                (4, Gen.Const(0)), (5, Gen.Int[1, 4]), (3, Gen.Int[5, 12]), (1, Gen.Int[13, 60]))
            .Array[combos.Count]
        from tableMask in Gen.Int[1, (1 << (1 << sizes.Length)) - 1]
        from outOfTime in Gen.Frequency((9, Gen.Const(false)), (1, Gen.Const(true)))
        let tables = Enumerable.Range(0, 1 << sizes.Length).Where(t => (tableMask & (1 << t)) != 0).ToList()
        select new Block(sizes,
            combos.Select((c, i) => new Atom(c, counts[i])).Where(a => a.Count > 0).ToList(),
            tables, k, outOfTime);

    private static IEnumerable<string[]> Combos(int[] sizes) =>
        sizes.Aggregate((IEnumerable<string[]>)[[]], (acc, size) => acc.SelectMany(prefix => Enumerable.Range(0, size).Select(v => (string[])[.. prefix, $"v{v}"])));

    [Fact]
    public void no_suppressed_cell_can_be_narrowed_below_k_by_an_attacker_solving_every_published_table() =>
        Blocks.Where(b => b.Atoms.Count > 0).Sample(block =>
        {
            var published = Suppression.Protect(block.Atoms, block.Tables, block.K, block.OutOfTime ? TimeSpan.Zero : null);
            foreach (var cell in published.Where(c => !c.Suppressed))
                Assert.True(cell.Count == 0 || cell.Count >= block.K, $"published a cell of {cell.Count} below k={block.K}");
            foreach (var (cell, i) in published.Select((c, i) => (c, i)).Where(p => p.c.Suppressed))
            {
                var (low, high) = Attack(block, published, cell);
                Assert.True(low <= cell.Count + 1e-6 && cell.Count <= high + 1e-6, "the attacker's interval misses the truth: the attack is wrong");
                Assert.True(high - low >= block.K - 1e-6,
                    $"suppressed cell {i} ({cell.Count}) narrowed to [{low}, {high}] at k={block.K}; {published.Count(c => c.Suppressed)} suppressed of {published.Count}");
            }
        }, iter: 300, seed: null);

    [Fact]
    public void the_subtraction_a_new_user_tried_no_longer_works()
    {
        // A country's week of 7: one category of 5 (v0), the other of 2 (v1). Before, the 5 and the total were shown.
        var atoms = new[] { new Atom(["v0", "v0"], 5), new Atom(["v0", "v1"], 2) };
        var published = Suppression.Protect(atoms, [0b00, 0b01, 0b10, 0b11], k: 5);
        var block = new Block([1, 2], atoms, [0b00, 0b01, 0b10, 0b11], 5);
        var two = published.Single(c => c.Table == 0b11 && c.Key[1] == "v1");
        Assert.True(two.Suppressed);
        var (low, high) = Attack(block, published, two);
        Assert.True(high - low >= 5, $"the 2 is still found within [{low}, {high}]");
        Assert.True(published.Single(c => c.Table == 0b11 && c.Key[1] == "v0").Suppressed, "the 5 beside it is shown");
    }

    /// <summary>The attacker: the least and greatest value of a cell under every published count, with empty finest cells known.</summary>
    private static (double Low, double High) Attack(Block block, IReadOnlyList<ProtectedCell> published, ProtectedCell target)
    {
        var known = block.Atoms.ToDictionary(a => string.Join('|', a.Key), a => a.Count);
        var finest = Combos(block.Sizes).Where(c => known.ContainsKey(string.Join('|', c))).ToList();
        using var solver = Solver.CreateSolver("GLOP");
        var x = finest.Select((_, i) => solver.MakeNumVar(0, 1e9, $"x{i}")).ToArray();
        bool Within(ProtectedCell cell, string[] combo) => cell.Key.Select((v, d) => v is null || v == combo[d]).All(b => b);
        foreach (var cell in published.Where(c => !c.Suppressed))
        {
            var row = solver.MakeConstraint(cell.Count, cell.Count);
            for (int i = 0; i < finest.Count; i++)
                if (Within(cell, finest[i])) row.SetCoefficient(x[i], 1);
        }
        double Bound(bool max)
        {
            var objective = solver.Objective();
            objective.Clear();
            for (int i = 0; i < finest.Count; i++)
                if (Within(target, finest[i])) objective.SetCoefficient(x[i], 1);
            if (max) objective.SetMaximization(); else objective.SetMinimization();
            var status = solver.Solve();
            // Capped finest cells keep every programme bounded; reaching the cap means no upper bound.
            Assert.Equal(Solver.ResultStatus.OPTIMAL, status);
            return objective.Value() >= 1e9 - 1 ? double.PositiveInfinity : objective.Value();
        }
        return (Bound(false), Bound(true));
    }
}
