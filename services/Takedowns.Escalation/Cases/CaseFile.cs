using Marten;
using MassTransit;
using Takedowns.Contracts.Escalation;
using Takedowns.Escalation.Packets;

namespace Takedowns.Escalation.Cases;

/// <summary>
/// A report Escalation may put in a packet, as Intake last forwarded it (<see cref="Sequence"/>: the Intake event it
/// reflects). Only reports whose reporter allows escalation to the platform are kept; one that is retracted or whose
/// consent is withdrawn is deleted, the packets still drafting leave it out, and a finalised version holding it records
/// <see cref="ReportWithdrawn"/> in its packet's history.
/// </summary>
public sealed record CaseFile(Guid Id, Guid OrganisationId, long Sequence, CaseFacts Facts);

/// <summary>
/// Keeps <see cref="CaseFile"/>s from Intake's <see cref="ReportCases"/>: per report, the case of the highest sequence
/// seen wins, so pages forwarded again, or overtaken by later ones, change nothing. A page is applied in one unit of work.
/// </summary>
public sealed class ReportCasesConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<ReportCases>
{
    public async Task Consume(ConsumeContext<ReportCases> context)
    {
        // The last case of each report in the page (a page holds a report once per event that changed it).
        var latest = context.Message.Cases.GroupBy(c => c.ReportId).Select(g => g.MaxBy(c => c.Sequence)!).ToList();
        var known = (await session.LoadManyAsync<CaseFile>(context.CancellationToken, latest.Select(c => c.ReportId)))
            .ToDictionary(c => c.Id);
        var gone = (await session.LoadManyAsync<Forgotten>(context.CancellationToken, latest.Select(c => c.ReportId)))
            .ToDictionary(f => f.Id);
        foreach (var c in latest)
        {
            long held = Math.Max(known.TryGetValue(c.ReportId, out var k) ? k.Sequence : 0, gone.TryGetValue(c.ReportId, out var f) ? f.Sequence : 0);
            if (c.Sequence <= held) continue;
            if (c.Facts is { } facts)
            {
                session.Store(new CaseFile(c.ReportId, c.OrganisationId, c.Sequence, facts));
                if (gone.ContainsKey(c.ReportId)) session.Delete<Forgotten>(c.ReportId);
            }
            else
            {
                // Forgotten, with the sequence it was forgotten at, so an older case arriving late does not bring it back.
                session.Delete<CaseFile>(c.ReportId);
                session.Store(new Forgotten(c.ReportId, c.Sequence));
                // Finalised versions holding it keep it, and say so in their packets' history.
                if (known.ContainsKey(c.ReportId))
                    foreach (var packet in await session.Query<Packet>().Where(p => p.Held!.Contains(c.ReportId)).ToListAsync(context.CancellationToken))
                        session.Events.Append(packet.Id, new ReportWithdrawn(packet.Id, c.ReportId, clock.GetUtcNow()));
            }
        }
        foreach (var (organisationId, name) in context.Message.OrganisationNames ?? new Dictionary<Guid, string>())
            session.Store(new OrganisationName(organisationId, name));
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

/// <summary>A report no longer escalatable, as of Intake's event <see cref="Sequence"/>: holds no facts.</summary>
public sealed record Forgotten(Guid Id, long Sequence);

/// <summary>One page of cases at a time: each reads its reports' cases and writes them back.</summary>
public sealed class ReportCasesConsumerDefinition : ConsumerDefinition<ReportCasesConsumer>
{
    public ReportCasesConsumerDefinition() => ConcurrentMessageLimit = 1;
}
