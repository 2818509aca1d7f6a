using Marten;
using Mediator;

namespace Takedowns.Intake.Reports;

/// <summary>Who acts on a report: its own organisation, or an analyst of the network (only on reports shared with the network).</summary>
public abstract record ReportAccess
{
    public sealed record Organisation(Guid OrganisationId) : ReportAccess;
    public sealed record NetworkAnalyst : ReportAccess;

    public bool Allows(Report r) => this switch
    {
        Organisation o => r.OrganisationId == o.OrganisationId,
        NetworkAnalyst => (r.Content.Consent ?? Consent.Default).Network,
        _ => false,
    };
}

/// <summary>Every change to an existing report has this one shape: fetch the stream for writing, decide, append, save.</summary>
public sealed record ChangeReport(Guid ReportId, ReportAccess Access, Func<Report, DateTimeOffset, Decision> Decide)
    : ICommand<ChangeResult>;

public abstract record ChangeResult
{
    public sealed record Done(Report Report) : ChangeResult;
    public sealed record NotFound : ChangeResult;
    public sealed record Rejected(string Reason) : ChangeResult;
}

public sealed class ChangeReportHandler(IDocumentSession session, TimeProvider clock) : ICommandHandler<ChangeReport, ChangeResult>
{
    public async ValueTask<ChangeResult> Handle(ChangeReport command, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Report>(command.ReportId, ct);
        // Another organisation's report is answered exactly as an unknown one.
        if (stream.Aggregate is not { } report || !command.Access.Allows(report)) return new ChangeResult.NotFound();

        switch (command.Decide(report, clock.GetUtcNow()))
        {
            case Decision.Reject r:
                return new ChangeResult.Rejected(r.Reason);
            case Decision.Accept { Events.Length: > 0 } a:
                stream.AppendMany(a.Events);
                await session.SaveChangesAsync(ct);
                return new ChangeResult.Done(a.Events.Aggregate(report, Fold));
            default:
                return new ChangeResult.Done(report);
        }
    }

    private static Report Fold(Report r, object e) => e switch
    {
        ReportAmended x => Report.Apply(x, r),
        EvidenceAttached x => Report.Apply(x, r),
        AppealFiled x => Report.Apply(x, r),
        AppealDecided x => Report.Apply(x, r),
        ReportVerified x => Report.Apply(x, r),
        ReportRetracted x => Report.Apply(x, r),
        ReporterDataErased x => Report.Apply(x, r),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name),
    };
}

public static class ChangeResults
{
    /// <summary>The HTTP answer to a change made by the report's own organisation: the report as it now is.</summary>
    public static async Task<IResult> ToHttpAsync(this ChangeResult result, IQuerySession session, ReporterKeys keys, CancellationToken ct) => result switch
    {
        ChangeResult.Done d => Results.Ok(ReportView.From(d.Report, await ReporterVault.ReadAsync(session, d.Report, keys, ct))),
        ChangeResult.Rejected r => Conflict(r.Reason),
        _ => ReportProblems.NotFound(),
    };

    public static IResult Conflict(string reason) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible in the report's current state", detail: reason);
}
