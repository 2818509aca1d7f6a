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

    /// <summary>How many complementary cells the clean-up tries to show again, the coarsest first.</summary>
    public const int CleanupLimit = 12;

    /// <summary>
    /// Protects every table of <paramref name="tables"/> over <paramref name="atoms"/> at threshold k (margin k). Should
    /// the audit not be done within <paramref name="budget"/>, the block falls back to the safe pattern that needs no
    /// audit: only its total is shown (every other cell then lies anywhere between 0 and the total, at least k).
    /// </summary>
    public static IReadOnlyList<ProtectedCell> Protect(IReadOnlyList<Atom> atoms, IReadOnlyList<int> tables, int k, TimeSpan? budget = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool OverBudget() => budget is { } b && clock.Elapsed > b;
        var cells = CellsOf(atoms, tables);
        var suppressed = cells.Select(c => c.Count > 0 && c.Count < k).ToArray();
        var primary = suppressed.ToArray();
        // Cells of different tables that sum the same atoms (a variable with one value in the block makes its table a copy
        // of a coarser one) are one number: they are shown or hidden together.
        var twins = cells.Select((c, i) => (Key: string.Join(',', c.Atoms.Order()), i)).GroupBy(p => p.Key)
            .SelectMany(g => g.Select(p => (p.i, All: g.Select(q => q.i).ToArray()))).OrderBy(p => p.i).Select(p => p.All).ToArray();
        // The block's total (and the cells that are copies of it) is hidden only when nothing else can be.
        var total = new HashSet<int>(cells.Select((c, i) => (c, i)).Where(p => p.c.Table == 0).SelectMany(p => twins[p.i]));
        IReadOnlyList<ProtectedCell> Result() => cells.Select((c, i) => new ProtectedCell(c.Table, c.Key, c.Count, suppressed[i], primary[i])).ToList();
        if (k <= 1 || !suppressed.Any(s => s)) return Result();

        // Each round audits the cells that may be exposed and gives each exposed one a complementary cell. Suppressing
        // more only takes equations away, which only widens intervals: a cell found protected stays protected, so a round
        // audits only the cells exposed in the last one and the cells it suppressed.
        var audit = Enumerable.Range(0, cells.Count).Where(i => suppressed[i]).ToList();
        while (true)
        {
            var exposed = Unprotected(atoms.Count, cells, suppressed, k, audit, firstOnly: false);
            if (exposed.Count == 0) break;
            if (OverBudget())
            {
                for (int i = 0; i < cells.Count; i++) suppressed[i] = primary[i] || !total.Contains(i);
                return Result();
            }
            audit = [.. exposed];
            foreach (int cell in exposed)
            {
                int complement = Complement(cells, suppressed, cell, total);
                if (complement < 0) continue;
                foreach (int twin in twins[complement]) suppressed[twin] = true;
                audit.AddRange(twins[complement]);
            }
            if (audit.Count == exposed.Count) break; // everything that could be suppressed is: nothing is published to attack with
        }
        // The greedy choice may have hidden more than needed: complementary cells are shown again if every suppressed
        // cell stays protected without them, totals and margins first (the numbers most read), then the largest; up to
        // CleanupLimit of them, within the budget (what is hidden is safe already: this only shows more).
        foreach (int i in Enumerable.Range(0, cells.Count).Where(i => suppressed[i] && !primary[i] && twins[i][0] == i)
                     .OrderBy(i => int.PopCount(cells[i].Table)).ThenByDescending(i => cells[i].Count).ThenBy(i => i).Take(CleanupLimit).ToList())
        {
            if (OverBudget()) break;
            foreach (int twin in twins[i]) suppressed[twin] = false;
            if (Unprotected(atoms.Count, cells, suppressed, k, Enumerable.Range(0, cells.Count).Where(j => suppressed[j]), firstOnly: true).Count > 0)
                foreach (int twin in twins[i]) suppressed[twin] = true;
        }
        return Result();
    }

    /// <summary>The suppressed cells whose interval is narrower than k (only the first found when <paramref name="firstOnly"/>).</summary>
    private static List<int> Unprotected(int atomCount, IReadOnlyList<BlockCell> cells, bool[] suppressed, int k, IEnumerable<int> candidates, bool firstOnly)
    {
        var exposed = new List<int>();
        using var audit = new Audit(atomCount, cells, suppressed);
        // The smallest suppressed cells first: they are the ones most often left exposed.
        foreach (int i in candidates.Distinct().OrderBy(i => cells[i].Count).ThenBy(i => i))
        {
            var (low, high) = audit.Bounds(cells[i]);
            if (high - low >= k - Tolerance) continue;
            exposed.Add(i);
            if (firstOnly) break;
        }
        return exposed;
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
    private sealed class Audit(int atomCount, IReadOnlyList<BlockCell> cells, IReadOnlyList<bool> suppressed) : IDisposable
    {
        // Each atom is capped far above anything a block holds, so that every programme has an optimum (a solver may
        // report an unbounded one as infeasible); a bound at the cap means "no bound". The cap only narrows the
        // attacker's intervals, so the audit errs on the safe side.
        private const double Cap = 1e7;

        private (Solver Solver, Google.OrTools.LinearSolver.Variable[] Atoms)? _model;

        private (Solver Solver, Google.OrTools.LinearSolver.Variable[] Atoms) Build(string engine = "GLOP")
        {
            var solver = Solver.CreateSolver(engine) ?? throw new InvalidOperationException($"The {engine} linear solver is not available.");
            var atoms = Enumerable.Range(0, atomCount).Select(a => solver.MakeNumVar(0, Cap, $"a{a}")).ToArray();
            for (int i = 0; i < cells.Count; i++)
            {
                if (suppressed[i]) continue;
                var equation = solver.MakeConstraint(cells[i].Count, cells[i].Count);
                foreach (int a in cells[i].Atoms) equation.SetCoefficient(atoms[a], 1);
            }
            return (solver, atoms);
        }

        public (double Low, double High) Bounds(BlockCell cell) => (Solve(cell, maximise: false), Solve(cell, maximise: true));

        private double Solve(BlockCell cell, bool maximise)
        {
            _model ??= Build();
            var (solver, atoms) = _model.Value;
            var status = SolveOn(solver, atoms, cell, maximise, out double value);
            if (status != Solver.ResultStatus.OPTIMAL)
            {
                // A re-solve starts from the last basis, and on these degenerate programmes that can end wrongly
                // (infeasible, though the true counts satisfy every equation): once more on a fresh model.
                solver.Dispose();
                _model = Build();
                status = SolveOn(_model.Value.Solver, _model.Value.Atoms, cell, maximise, out value);
            }
            if (status != Solver.ResultStatus.OPTIMAL)
            {
                // GLOP's presolve can still misjudge one: COIN-OR's CLP, a second opinion from another simplex code.
                using var second = new Audit(atomCount, cells, suppressed);
                second._model = second.Build("CLP");
                status = SolveOn(second._model.Value.Solver, second._model.Value.Atoms, cell, maximise, out value);
            }
            if (status != Solver.ResultStatus.OPTIMAL)
                throw new InvalidOperationException($"The suppression audit's linear programme ended {status}.");
            return value >= Cap - 1 ? double.PositiveInfinity : value;
        }

        private static Solver.ResultStatus SolveOn(Solver solver, Google.OrTools.LinearSolver.Variable[] atoms, BlockCell cell, bool maximise, out double value)
        {
            var objective = solver.Objective();
            objective.Clear();
            foreach (int a in cell.Atoms) objective.SetCoefficient(atoms[a], 1);
            if (maximise) objective.SetMaximization(); else objective.SetMinimization();
            var status = solver.Solve();
            value = status == Solver.ResultStatus.OPTIMAL ? objective.Value() : double.NaN;
            return status;
        }

        public void Dispose() => _model?.Solver.Dispose();
    }
}

/// <summary>A cell of a block's table: the table (its variables as bits), its key, its count and the atoms it sums.</summary>
public sealed record BlockCell(int Table, IReadOnlyList<string?> Key, int Count, IReadOnlySet<int> Atoms);
