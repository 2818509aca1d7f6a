using System.Text.RegularExpressions;
using Takedowns.Contracts;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>A report's place in an incident: the same takedown, perhaps reported by several organisations.</summary>
public sealed record ReportIncident(Guid Id, Guid IncidentId, string Key);

/// <summary>A report in an incident, with when its takedown happened (absent on members linked before it was kept).</summary>
public sealed record IncidentMember(Guid ReportId, Guid OrganisationId, DateTimeOffset? At = null);

public sealed record IncidentEntry(Guid IncidentId, DateTimeOffset First, DateTimeOffset Last, List<IncidentMember> Members);

/// <summary>The incidents of one account and action on one platform. Its id is <see cref="Incidents.KeyOf"/>.</summary>
public sealed class IncidentIndex
{
    public string Id { get; set; } = "";
    public List<IncidentEntry> Incidents { get; set; } = [];
}

/// <summary>What the reporting organisation may see of the incident its report belongs to.</summary>
public sealed record IncidentView(Guid IncidentId, int Reports, int Organisations);

/// <summary>
/// Links reports of the same incident: the same platform and account (platform id, else handle), the same action,
/// occurring within 24 hours of each other. Aggregates then count the incident once.
/// </summary>
public static partial class Incidents
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    public static string KeyOf(ReportDraft r)
    {
        string account = r.Account.PlatformId is { Length: > 0 } id ? "id:" + id.Trim().ToLowerInvariant() : "handle:" + Handle(r.Account.Handle);
        return $"{WireNames<Platform>.Of(r.Platform)}|{account}|{WireNames<TakedownAction>.Of(r.Action)}";
    }

    /// <summary>When the takedown happened, as an instant: a date alone stands for its middle.</summary>
    public static DateTimeOffset Instant(ReportDraft r) =>
        r.OccurredAt ?? new DateTimeOffset(r.OccurredOn.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

    /// <summary>The incident for a new report, joining an existing one or starting a new one. Deterministic for a given index.</summary>
    public static Guid Link(IncidentIndex index, TakedownReported e) => Link(index, e.ReportId, e.OrganisationId, e.Report, revision: 1);

    /// <summary>
    /// The incident for a report as of one revision of it. An incident started by a later revision (an amendment that
    /// moved the report) is named after that revision, never after the report alone, which may still name the incident
    /// the report left.
    /// </summary>
    public static Guid Link(IncidentIndex index, Guid reportId, Guid organisationId, ReportDraft report, long revision)
    {
        var existing = index.Incidents.FirstOrDefault(i => i.Members.Any(m => m.ReportId == reportId));
        if (existing is not null) return existing.IncidentId; // already linked (a page processed again)

        var at = Instant(report);
        var match = index.Incidents
            .Where(i => at >= i.First - Window && at <= i.Last + Window)
            .MinBy(i => Math.Min(Math.Abs((at - i.First).Ticks), Math.Abs((at - i.Last).Ticks)));
        if (match is null)
        {
            // Named after its first report, so the same history always gives the same incidents.
            var id = revision <= 1 ? NameBasedGuid.IncidentOf(reportId) : NameBasedGuid.Create($"incident:{reportId:N}:{revision}");
            match = new IncidentEntry(id, at, at, []);
            index.Incidents.Add(match);
        }
        match.Members.Add(new IncidentMember(reportId, organisationId, at));
        int i = index.Incidents.IndexOf(match);
        index.Incidents[i] = match with { First = at < match.First ? at : match.First, Last = at > match.Last ? at : match.Last };
        return match.IncidentId;
    }

    /// <summary>Whether a report, as amended, still belongs where it is: the same account and action, at the same time.</summary>
    public static bool StaysPut(IncidentIndex current, Guid reportId, string newKey, ReportDraft amended)
    {
        if (current.Id != newKey) return false;
        var member = current.Incidents.SelectMany(i => i.Members).FirstOrDefault(m => m.ReportId == reportId);
        return member?.At is { } at && at == Instant(amended);
    }

    /// <summary>
    /// Takes a report out of the incident it is in (before an amendment links it again). An incident left without
    /// reports is dropped; otherwise its time span shrinks to its remaining members where their times are known.
    /// </summary>
    public static void Unlink(IncidentIndex index, Guid reportId)
    {
        int i = index.Incidents.FindIndex(x => x.Members.Any(m => m.ReportId == reportId));
        if (i < 0) return;
        var entry = index.Incidents[i];
        var members = entry.Members.Where(m => m.ReportId != reportId).ToList();
        if (members.Count == 0)
        {
            index.Incidents.RemoveAt(i);
            return;
        }
        var times = members.Select(m => m.At).ToList();
        index.Incidents[i] = times.All(t => t is not null)
            ? entry with { Members = members, First = times.Min()!.Value, Last = times.Max()!.Value }
            : entry with { Members = members };
    }

    private static string Handle(string handle)
    {
        string h = handle.Trim().ToLowerInvariant();
        if (Uri.TryCreate(h, UriKind.Absolute, out var uri)) h = uri.AbsolutePath.Trim('/');
        return Spaces().Replace(h.TrimStart('@'), "");
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
