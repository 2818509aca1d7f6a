using Takedowns.Contracts;

namespace Takedowns.Scenarios;

/// <summary>What to generate. Every name and text is synthetic; the same options give the same scenario.</summary>
public sealed record ScenarioOptions
{
    public int Seed { get; init; } = 1;
    /// <summary>The last day of the scenario (inclusive).</summary>
    public DateOnly End { get; init; } = new(2026, 10, 31);
    public int Days { get; init; } = 210;
    public int Countries { get; init; } = 6;
    /// <summary>Country x platform x category x subject-type cells with a baseline, per country.</summary>
    public int CellsPerCountry { get; init; } = 20;
    /// <summary>Multiplies every baseline rate (each drawn from 0.02 to 10 a day), for larger replays.</summary>
    public double RateScale { get; init; } = 1;
    public int Organisations { get; init; } = 8;
    public int Spikes { get; init; } = 12;
    public int Campaigns { get; init; } = 12;
    public int MinCampaignSize { get; init; } = 3;
    public int MaxCampaignSize { get; init; } = 100;
    public double MinEdit { get; init; } = 0.05;
    public double MaxEdit { get; init; } = 0.30;
    public int OrganicBursts { get; init; } = 2;
    /// <summary>Share of incidents a second organisation reports too.</summary>
    public double DuplicateShare { get; init; } = 0.03;
    /// <summary>Days at the start without planted truth, so baselines have history.</summary>
    public int WarmUpDays { get; init; } = 100;

    public DateOnly Start => End.AddDays(-(Days - 1));

    /// <summary>The same world with nothing planted: what false alarms are measured on.</summary>
    public ScenarioOptions AsNull() => this with { Spikes = 0, Campaigns = 0 };
}

/// <summary>A country x platform x category x subject-type cell and its negative-binomial baseline (mean a day, size).</summary>
public sealed record Cell(string Country, Platform Platform, GroundCategory Category, SubjectType SubjectType, double Rate, double Size)
{
    public double StandardDeviation => Math.Sqrt(Rate + Rate * Rate / Size);
}

/// <summary>One synthetic report, with the truth it was planted for (if any).</summary>
public sealed record SyntheticReport(
    int Organisation,
    string ExternalId,
    Platform Platform,
    string AccountHandle,
    SubjectType SubjectType,
    string Country,
    TakedownAction Action,
    GroundCategory Category,
    string? Policy,
    string? NoticeText,
    string? Claimant,
    string? ClaimedOriginalUrl,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReportedAt,
    int? Campaign = null,
    int? Spike = null,
    bool Duplicate = false);

/// <summary>A burst planted in 1 to 4 cells of one country: <see cref="Extra"/> more incidents a day per cell.</summary>
public sealed record PlantedSpike(int Index, IReadOnlyList<Cell> Cells, DateOnly Start, DateOnly End, double StandardDeviations, IReadOnlyList<int> Extra, bool InCivicPeriod)
{
    public int Days => End.DayNumber - Start.DayNumber + 1;
}

/// <summary>
/// A coordinated complaint campaign planted across organisations. <see cref="LookAlikeLetters"/>: its copies swap letters
/// for look-alikes of the other script, so that they differ byte for byte.
/// </summary>
public sealed record PlantedCampaign(
    int Index, int Size, DateTimeOffset Start, DateTimeOffset End, Platform Platform, string Policy, string ClaimantStyle,
    double EditRate, double CyrillicShare, IReadOnlyList<string> SharedSignals, bool LookAlikeLetters = false);

public sealed record CivicPeriodSpec(string Country, string Type, string Name, DateOnly Start, DateOnly End);

/// <summary>A news-driven rise in every cell of a country: real, but neither planted spike nor campaign.</summary>
public sealed record OrganicBurst(string Country, DateOnly Start, DateOnly End, double Factor);

public sealed record Scenario(
    ScenarioOptions Options,
    IReadOnlyList<Cell> Cells,
    IReadOnlyList<SyntheticReport> Reports,
    IReadOnlyList<PlantedSpike> Spikes,
    IReadOnlyList<PlantedCampaign> Campaigns,
    IReadOnlyList<CivicPeriodSpec> CivicPeriods,
    IReadOnlyList<OrganicBurst> OrganicBursts);
