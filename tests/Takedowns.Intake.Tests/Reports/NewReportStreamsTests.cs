using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Intake.Reports;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

/// <summary>Report streams started in bulk must be, for Marten, the streams <c>StartStream</c> would have made.</summary>
public sealed class NewReportStreamsTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    private IDocumentStore Store => host.Services.GetRequiredService<IDocumentStore>();

    private static ReportDraft Draft(string handle) =>
        new(null, Platform.YouTube, new Account(handle, null, null), SubjectType.Journalist, "KZ", TakedownAction.AccountSuspended,
            new Ground(GroundCategory.Spam, "Spam policy", "Removed for spam.", null), new DateOnly(2026, 11, 20), null);

    private static TakedownReported Reported(Guid organisationId, string handle) =>
        new(Guid.CreateVersion7(), organisationId, ReportChannel.Api, null, Draft(handle), DateTimeOffset.UtcNow);

    [Fact]
    public async Task a_stream_started_in_bulk_reads_back_through_marten_like_one_started_by_marten()
    {
        var org = await host.RegisterOrganisationAsync();
        var bulk = Reported(org.OrganisationId, "@bulk");
        var byMarten = Reported(org.OrganisationId, "@marten");
        var started = await host.Services.GetRequiredService<NewReportStreams>().WriteAsync([bulk], (_, _) => { }, CancellationToken.None);
        await using (var session = Store.LightweightSession())
        {
            session.Events.StartStream<Report>(byMarten.ReportId, byMarten);
            await session.SaveChangesAsync();
        }

        Assert.Equal([bulk.ReportId], started);
        await using var query = Store.QuerySession();
        foreach (var e in new[] { bulk, byMarten })
        {
            var state = await query.Events.FetchStreamStateAsync(e.ReportId);
            Assert.NotNull(state);
            Assert.Equal(1, state.Version);
            Assert.Equal(typeof(Report), state.AggregateType);
            var events = await query.Events.FetchStreamAsync(e.ReportId);
            var only = Assert.Single(events);
            Assert.Equal(e, only.Data);
            Assert.Equal("takedown_reported", only.EventTypeName);
            Assert.Equal(Report.Create(e), await query.LoadAsync<Report>(e.ReportId));
            Assert.Equal(Report.Create(e), await query.Events.AggregateStreamAsync<Report>(e.ReportId));
        }

        // The next event goes through Marten's own append and its snapshot, as for any stream.
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(bulk.ReportId, new ReportVerified(bulk.ReportId, "analyst", null, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        await using var after = Store.QuerySession();
        Assert.Equal(2, (await after.Events.FetchStreamStateAsync(bulk.ReportId))!.Version);
        Assert.NotNull((await after.LoadAsync<Report>(bulk.ReportId))!.VerifiedAt);
    }

    [Fact]
    public async Task an_existing_stream_is_left_alone_and_what_goes_alongside_is_stored_only_for_new_ones()
    {
        var org = await host.RegisterOrganisationAsync();
        var first = Reported(org.OrganisationId, "@first");
        var writer = host.Services.GetRequiredService<NewReportStreams>();
        await writer.WriteAsync([first], (_, _) => { }, CancellationToken.None);
        var second = Reported(org.OrganisationId, "@second");
        var replayOfFirst = first with { Report = Draft("@changed") };

        var started = await writer.WriteAsync([replayOfFirst, second], (session, news) =>
        {
            foreach (var id in news) session.Store(new ReporterKey(id, "alongside"));
        }, CancellationToken.None);

        Assert.Equal([second.ReportId], started);
        await using var query = Store.QuerySession();
        Assert.Equal("@first", (await query.LoadAsync<Report>(first.ReportId))!.Content.Account.Handle);
        Assert.Single(await query.Events.FetchStreamAsync(first.ReportId));
        Assert.Null(await query.LoadAsync<ReporterKey>(first.ReportId));
        Assert.NotNull(await query.LoadAsync<ReporterKey>(second.ReportId));
    }

    [Fact]
    public async Task concurrent_batches_holding_the_same_reports_in_opposite_orders_start_each_once_without_deadlock()
    {
        var org = await host.RegisterOrganisationAsync();
        var events = Enumerable.Range(0, 100).Select(i => Reported(org.OrganisationId, $"@overlap_{i}")).ToList();
        var reversed = Enumerable.Reverse(events).ToList();
        var writer = host.Services.GetRequiredService<NewReportStreams>();

        var started = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => writer.WriteAsync(i % 2 == 0 ? events : reversed, (_, _) => { }, CancellationToken.None))));

        Assert.Equal(events.Select(e => e.ReportId).Order(), started.SelectMany(s => s).Order());
    }

    [Fact]
    public async Task a_failure_alongside_rolls_the_new_streams_back()
    {
        var org = await host.RegisterOrganisationAsync();
        var e = Reported(org.OrganisationId, "@rolled-back");

        await Assert.ThrowsAnyAsync<Exception>(() => host.Services.GetRequiredService<NewReportStreams>()
            .WriteAsync([e], (session, _) => session.QueueSqlCommand("select 1/0"), CancellationToken.None));

        await using var query = Store.QuerySession();
        Assert.Null(await query.Events.FetchStreamStateAsync(e.ReportId));
        Assert.Null(await query.LoadAsync<Report>(e.ReportId));
    }

    [Fact]
    public async Task a_changed_table_layout_stops_the_writer_before_it_writes_anything()
    {
        await Database.ExecuteAsync($"alter table \"{host.Schema}\".mt_doc_report add column if not exists extra_column text");
        try
        {
            var org = await host.RegisterOrganisationAsync();
            var e = Reported(org.OrganisationId, "@layout");
            var fresh = new NewReportStreams(Store);

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => fresh.WriteAsync([e], (_, _) => { }, CancellationToken.None));

            Assert.Contains("extra_column", error.Message);
            await using var query = Store.QuerySession();
            Assert.Null(await query.Events.FetchStreamStateAsync(e.ReportId));
        }
        finally
        {
            await Database.ExecuteAsync($"alter table \"{host.Schema}\".mt_doc_report drop column if exists extra_column");
        }
    }
}
