namespace Takedowns.Scenarios;

/// <summary>
/// The scenario families: A (<see cref="ScenarioGenerator"/>), B (<see cref="FamilyB.FamilyBGenerator"/>) and C
/// (<see cref="FamilyC.FamilyCGenerator"/>), written apart from each other so that detection tuned on some can be
/// measured on another. All give the same <see cref="Scenario"/>: the same files, truth, scoring and loader.
/// </summary>
public enum ScenarioFamily { A, B, C }

public static class ScenarioFamilies
{
    public static Scenario Generate(ScenarioFamily family, ScenarioOptions options) => family switch
    {
        ScenarioFamily.A => ScenarioGenerator.Generate(options),
        ScenarioFamily.B => FamilyB.FamilyBGenerator.Generate(options),
        ScenarioFamily.C => FamilyC.FamilyCGenerator.Generate(options),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, null),
    };

    /// <summary>"a", "b" or "c", in either case.</summary>
    public static ScenarioFamily Parse(string name) => name.ToLowerInvariant() switch
    {
        "a" => ScenarioFamily.A,
        "b" => ScenarioFamily.B,
        "c" => ScenarioFamily.C,
        _ => throw new ArgumentException($"Unknown scenario family {name} (a, b or c)."),
    };

    /// <summary>"a", "b", "c", "both" (a and b) or "all" (a, b and c).</summary>
    public static IReadOnlyList<ScenarioFamily> ParseList(string name) => name.ToLowerInvariant() switch
    {
        "both" => [ScenarioFamily.A, ScenarioFamily.B],
        "all" => [ScenarioFamily.A, ScenarioFamily.B, ScenarioFamily.C],
        _ => [Parse(name)],
    };
}
