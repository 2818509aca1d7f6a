using Google.OrTools.LinearSolver;

namespace Takedowns.Publishing.Statistics;

/// <summary>
/// One finest cell of a block: its value on each classifying variable and its count. Only cells with a count are atoms;
/// every other combination is taken to be known to be zero (the attacker is granted that).
/// </summary>
public sealed record Atom(IReadOnlyList<string> Key, int Count);

/// <summary>
/// A published cell: the variables its table keeps (a bit per variable of the block), its values on them (null on the
/// others), its count, and whether it is suppressed.
/// </summary>
public sealed record ProtectedCell(int Table, IReadOnlyList<string?> Key, int Count, bool Suppressed, bool Primary);

/// <summary>
/// Primary and complementary cell suppression for a block of linked tables: every table (a set of the block's classifying
/// variables, a bit each) is the sum of the block's atoms over the variables it drops, so the tables share their margins.
/// <para>
/// Primary: a cell of 1 to k-1 reports is suppressed. Complementary: the block is then audited as an attacker would attack
/// it. Every published cell is a linear equation on the atoms, which are non-negative; for each suppressed cell, two
/// linear programmes give the least and the greatest value it can take under every published equation of every table of
/// the block. A cell whose feasible interval is narrower than the protection margin (k) gets one more suppression: the
/// smallest published cell of its table that differs from it on one variable (failing that, the smallest of its table,
/// then the smallest that shares atoms with it). The audit is repeated until every suppressed cell is protected; each
/// round suppresses one more cell, so it ends. This is the audit-and-repair scheme of cell suppression with a linear
/// programming audit, as statistical offices run it on linked tables, with a greedy choice of the complementary cells
/// (smallest count first, which keeps the most information published); then each complementary cell (those of the coarsest
/// tables first, then the largest) is published again if the audit still passes without it, so no cell is hidden that need
/// not be.
/// </para>
/// </summary>
public static class Suppression
{
    /// <summary>How far a bound may be from an integer and still count as reaching it (the solver works in floating point).</summary>
    private const double Tolerance = 1e-6;

    /// <summary>Protects every table of <paramref name="tables"/> over <paramref name="atoms"/> at threshold k (margin k).</summary>
    public static IReadOnlyList<ProtectedCell> Protect(IReadOnlyList<Atom> atoms, IReadOnlyList<int> tables, int k)
    {
        var cells = CellsOf(atoms, tables);
        var suppressed = cells.Select(c => c.Count > 0 && c.Count < k).ToArray();
        var primary = suppressed.ToArray();
        // Cells of different tables that sum the same atoms (a variable with one value in the block makes its table a copy
        // of a coarser one) are one number: they are shown or hidden together.
        var twins = cells.Select((c, i) => (Key: string.Join(',', c.Atoms.Order()), i)).GroupBy(p => p.Key)
            .SelectMany(g => g.Select(p => (p.i, All: g.Select(q => q.i).ToArray()))).OrderBy(p => p.i).Select(p => p.All).ToArray();
        // The block's total (and the cells that are copies of it) is hidden only when nothing else can be.
        var total = new HashSet<int>(cells.Select((c, i) => (c, i)).Where(p => p.c.Table == 0).SelectMany(p => twins[p.i]));
        if (k > 1 && suppressed.Any(s => s))
        {
            while (true)
            {
                int unsafeCell = FirstUnprotected(atoms.Count, cells, suppressed, k);
                if (unsafeCell < 0) break;
                int complement = Complement(cells, suppressed, unsafeCell, total);
                if (complement < 0) break; // everything that could be suppressed is: nothing is published to attack with
                foreach (int twin in twins[complement]) suppressed[twin] = true;
            }
            // The greedy choice may have hidden more than needed: each complementary cell is shown again if every
            // suppressed cell stays protected without it, totals and margins first (the numbers most read), then the largest.
            foreach (int i in Enumerable.Range(0, cells.Count).Where(i => suppressed[i] && !primary[i] && twins[i][0] == i)
                         .OrderBy(i => int.PopCount(cells[i].Table)).ThenByDescending(i => cells[i].Count).ThenBy(i => i).ToList())
            {
                foreach (int twin in twins[i]) suppressed[twin] = false;
                if (FirstUnprotected(atoms.Count, cells, suppressed, k) >= 0)
                    foreach (int twin in twins[i]) suppressed[twin] = true;
            }
        }
        return cells.Select((c, i) => new ProtectedCell(c.Table, c.Key, c.Count, suppressed[i], primary[i])).ToList();
    }

    /// <summary>The feasible interval of cell <paramref name="target"/> given the published cells (the attacker's bounds).</summary>
    public static (double Low, double High) Interval(int atomCount, IReadOnlyList<BlockCell> cells, IReadOnlyList<bool> suppressed, int target)
    {
        using var audit = new Audit(atomCount, cells, suppressed);
        return audit.Bounds(cells[target]);
    }

    private static int FirstUnprotected(int atomCount, IReadOnlyList<BlockCell> cells, bool[] suppressed, int k)
    {
        using var audit = new Audit(atomCount, cells, suppressed);
        // The smallest suppressed cells first: they are the ones most often left exposed.
        foreach (int i in Enumerable.Range(0, cells.Count).Where(i => suppressed[i]).OrderBy(i => cells[i].Count).ThenBy(i => i))
        {
            var (low, high) = audit.Bounds(cells[i]);
            if (high - low < k - Tolerance) return i;
        }
        return -1;
    }

    /// <summary>The next cell to suppress to protect <paramref name="exposed"/>, or -1 when every cell with a count already is.</summary>
    private static int Complement(IReadOnlyList<BlockCell> cells, bool[] suppressed, int exposed, IReadOnlySet<int> total)
    {
        var cell = cells[exposed];
        var open = Enumerable.Range(0, cells.Count).Where(i => !suppressed[i] && cells[i].Count > 0 && !total.Contains(i)).ToList();
        if (open.Count == 0) open = Enumerable.Range(0, cells.Count).Where(i => !suppressed[i] && cells[i].Count > 0).ToList();
        int Smallest(IEnumerable<int> candidates) => candidates.OrderBy(i => cells[i].Count).ThenBy(i => i).DefaultIfEmpty(-1).First();
        int choice = Smallest(open.Where(i => cells[i].Table == cell.Table && Differences(cells[i].Key, cell.Key) == 1));
        if (choice < 0) choice = Smallest(open.Where(i => cells[i].Table == cell.Table));
        // Beyond its table, the finest cells first: totals and margins are what is read most.
        int Finest(IEnumerable<int> candidates) => candidates.OrderByDescending(i => int.PopCount(cells[i].Table)).ThenBy(i => cells[i].Count).ThenBy(i => i).DefaultIfEmpty(-1).First();
        if (choice < 0) choice = Finest(open.Where(i => cells[i].Atoms.Overlaps(cell.Atoms)));
        return choice < 0 ? Finest(open) : choice;
    }

    private static int Differences(IReadOnlyList<string?> a, IReadOnlyList<string?> b) => a.Where((v, i) => v != b[i]).Count();

    /// <summary>Every cell of every table, with the atoms it sums.</summary>
    public static IReadOnlyList<BlockCell> CellsOf(IReadOnlyList<Atom> atoms, IReadOnlyList<int> tables)
    {
        var cells = new List<BlockCell>();
        foreach (int table in tables.Distinct())
        {
            var groups = new Dictionary<string, (string?[] Key, HashSet<int> Atoms, int Count)>(StringComparer.Ordinal);
            for (int a = 0; a < atoms.Count; a++)
            {
                var key = atoms[a].Key.Select((v, d) => (table & (1 << d)) != 0 ? v : null).ToArray();
                string id = string.Join('\u001f', key.Select(v => v ?? "\u0000"));
                if (!groups.TryGetValue(id, out var g)) groups[id] = g = (key, [], 0);
                g.Atoms.Add(a);
                groups[id] = (g.Key, g.Atoms, g.Count + atoms[a].Count);
            }
            foreach (var g in groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Value))
                cells.Add(new BlockCell(table, g.Key, g.Count, g.Atoms));
        }
        return cells;
    }

    /// <summary>The linear programme of an attack on a block: the atoms, non-negative, and one equation per published cell.</summary>
    private sealed class Audit : IDisposable
    {
        private readonly Solver _solver;
        private readonly Google.OrTools.LinearSolver.Variable[] _atoms;

        public Audit(int atomCount, IReadOnlyList<BlockCell> cells, IReadOnlyList<bool> suppressed)
        {
            _solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("The GLOP linear solver is not available.");
            // Each atom is capped far above anything a block holds, so that every programme has an optimum (a solver may
            // report an unbounded one as infeasible); a bound at the cap means "no bound". The cap only narrows the
            // attacker's intervals, so the audit errs on the safe side.
            _atoms = Enumerable.Range(0, atomCount).Select(a => _solver.MakeNumVar(0, Cap, $"a{a}")).ToArray();
            for (int i = 0; i < cells.Count; i++)
            {
                if (suppressed[i]) continue;
                var equation = _solver.MakeConstraint(cells[i].Count, cells[i].Count);
                foreach (int a in cells[i].Atoms) equation.SetCoefficient(_atoms[a], 1);
            }
        }

        public (double Low, double High) Bounds(BlockCell cell) => (Solve(cell, maximise: false), Solve(cell, maximise: true));

        private static readonly double Cap = 1e7;

        private double Solve(BlockCell cell, bool maximise)
        {
            var objective = _solver.Objective();
            objective.Clear();
            foreach (int a in cell.Atoms) objective.SetCoefficient(_atoms[a], 1);
            if (maximise) objective.SetMaximization(); else objective.SetMinimization();
            var status = _solver.Solve();
            return status switch
            {
                Solver.ResultStatus.OPTIMAL => objective.Value() >= Cap - 1 ? double.PositiveInfinity : objective.Value(),
                // The true counts satisfy every equation, so the programme is feasible; anything else is the solver's failure.
                _ => throw new InvalidOperationException($"The suppression audit's linear programme ended {status}."),
            };
        }

        public void Dispose() => _solver.Dispose();
    }
}

/// <summary>A cell of a block's table: the table (its variables as bits), its key, its count and the atoms it sums.</summary>
public sealed record BlockCell(int Table, IReadOnlyList<string?> Key, int Count, IReadOnlySet<int> Atoms);
