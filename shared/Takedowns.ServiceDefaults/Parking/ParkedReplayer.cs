using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Takedowns.ServiceDefaults.Parking;

/// <summary>
/// Answers replay requests for the subscriptions and projections this instance runs. With several instances of a service
/// the async daemon runs each subscription and projection on one of them (its leader), and only that one may process
/// their events; the others leave the request to it.
/// </summary>
public sealed class ParkedReplayer(IServiceProvider services, Parked parked, ILogger<ParkedReplayer> logger) : BackgroundService
{
    public static TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, ct);
                var store = services.GetRequiredService<IDocumentStore>();
                IReadOnlyList<ParkedRequest> pending;
                await using (var session = store.QuerySession())
                    pending = await session.Query<ParkedRequest>().Where(r => r.Outcome == null).ToListAsync(ct);
                if (pending.Count == 0) continue;
                var daemon = services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
                var runningHere = daemon.CurrentAgents().Select(a => a.Name.Name).ToHashSet();
                foreach (var request in pending) await parked.AnswerAsync(request, runningHere, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Answering replay requests failed ({Error}); trying again", e.GetType().Name);
            }
        }
    }
}
