namespace Takedowns.Scenarios;

/// <summary>
/// The scenario families: A (<see cref="ScenarioGenerator"/>) and B (<see cref="FamilyB.FamilyBGenerator"/>), written
/// apart from each other so that detection tuned on one can be measured on the other. Both give the same
/// <see cref="Scenario"/>: the same files, truth, scoring and loader.
/// </summary>
public enum ScenarioFamily { A, B }

public static class ScenarioFamilies
{
    public static Scenario Generate(ScenarioFamily family, ScenarioOptions options) => family switch
    {
        ScenarioFamily.A => ScenarioGenerator.Generate(options),
        ScenarioFamily.B => FamilyB.FamilyBGenerator.Generate(options),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, null),
    };

    /// <summary>"a" or "b", in either case.</summary>
    public static ScenarioFamily Parse(string name) => name.ToLowerInvariant() switch
    {
        "a" => ScenarioFamily.A,
        "b" => ScenarioFamily.B,
        _ => throw new ArgumentException($"Unknown scenario family {name} (a or b)."),
    };

    /// <summary>"a", "b" or "both".</summary>
    public static IReadOnlyList<ScenarioFamily> ParseList(string name) =>
        name.Equals("both", StringComparison.OrdinalIgnoreCase) ? [ScenarioFamily.A, ScenarioFamily.B] : [Parse(name)];
}
