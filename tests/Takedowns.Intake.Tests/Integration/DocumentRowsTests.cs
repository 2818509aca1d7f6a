using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Tests.Integration;

/// <summary>Documents stored set-based on the real PostgreSQL, read back through Marten as its own.</summary>
public sealed class DocumentRowsTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    [Fact]
    public async Task documents_are_inserted_and_updated_in_one_statement_and_of_one_given_twice_the_last_is_kept()
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var rows = new DocumentRows<ReportIncident, Guid>(l => l.Id);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), incident = Guid.NewGuid(), other = Guid.NewGuid();
        var ct = TestContext.Current.CancellationToken;
        await using (var session = store.LightweightSession())
        {
            await rows.QueueAsync(session, [new ReportIncident(a, incident, "first"), new ReportIncident(b, incident, "b")], ct);
            await session.SaveChangesAsync(ct);
        }
        await using (var session = store.LightweightSession())
        {
            await rows.QueueAsync(session, [new ReportIncident(a, incident, "second"), new ReportIncident(a, other, "third")], ct);
            await rows.QueueAsync(session, [], ct);
            await session.SaveChangesAsync(ct);
        }

        await using var reading = store.QuerySession();
        var stored = (await reading.LoadManyAsync<ReportIncident>(ct, a, b)).OrderBy(l => l.Id == b).ToList();
        Assert.Equal([new ReportIncident(a, other, "third"), new ReportIncident(b, incident, "b")], stored);
        Assert.Equal([typeof(ReportIncident).FullName!], await reading.AdvancedSql.QueryAsync<string>(
            $"select distinct mt_dotnet_type from {store.Options.DatabaseSchemaName}.mt_doc_reportincident where id = any(?)", ct, new[] { a, b }));
    }
}
