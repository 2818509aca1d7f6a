using JasperFx;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.ServiceDefaults.Parking;
using Weasel.Core;

namespace Takedowns.ServiceDefaults;

public static class EventStoreExtensions
{
    /// <summary>
    /// Events per page for the services' asynchronous projections and subscriptions (Marten's default is 500). A page is
    /// read in one statement and applied in one unit of work that writes each document it touched once, so a projection
    /// catching up on an imported history writes a count or cell once a page instead of once every 500 events, and reads
    /// its events in a tenth of the statements. Live, a page holds only what has arrived, so nothing waits for a page to fill.
    /// </summary>
    public const int PageSize = 5_000;

    /// <summary>Options for an asynchronous projection: pages of <see cref="PageSize"/> events.</summary>
    public static void InPages(JasperFx.Events.Projections.AsyncOptions options) => options.BatchSize = PageSize;

    /// <summary>
    /// Marten on the service's own PostgreSQL schema (configuration <c>Marten:Schema</c>, else the service name),
    /// with lightweight sessions, the async daemon, and a readiness check on the database.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddEventStore(
        this WebApplicationBuilder builder, string serviceName, Action<StoreOptions> configure)
    {
        string connection = builder.Configuration.GetConnectionString(Settings.PostgresConnection)
            ?? throw new InvalidOperationException($"ConnectionStrings:{Settings.PostgresConnection} is not set.");
        string schema = builder.Configuration[Settings.MartenSchema] ?? serviceName;
        // Statements run again and again (appends, loads, the outbox's reads) are prepared once per connection, and a
        // pooled connection is not reset on every return: nothing here changes session state. No JIT compilation of
        // queries: the services' statements are short, and PostgreSQL compiled the larger ones (campaign detection's
        // candidate search over a page, estimated costly) on every call, which took longer than running them (5 s of
        // 11 s on an imported history). Options a connection string already gives are kept.
        connection = Tuned(connection);

        builder.Services.AddHealthChecks()
            .AddNpgSql(connection, name: "postgres", tags: [ServiceDefaultsExtensions.ReadyTag])
            .AddCheck<ParkedHealthCheck>("parked", tags: [ServiceDefaultsExtensions.ReadyTag])
            .AddCheck<LagHealthCheck>("lag", tags: [ServiceDefaultsExtensions.ReadyTag]);
        builder.Services.AddSingleton(new ServiceName(serviceName));
        builder.Services.AddSingleton<Parked>();
        builder.Services.AddSingleton<PipelineMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PipelineMonitor>());
        builder.Services.AddHostedService<ParkedReplayer>();

        return builder.Services.AddMarten(o =>
            {
                Common(o, connection, schema);
                o.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                o.Schema.For<ParkedMessage>();
                o.Schema.For<ParkedRequest>();
                // Projections skip an event that fails in them (Marten's default while running), parking it in the dead letter
                // table; a rebuild (how a parked projection event is replayed) does the same rather than stopping.
                o.Projections.RebuildErrors.SkipApplyErrors = true;
                o.Projections.RebuildErrors.SkipSerializationErrors = true;
                o.Projections.RebuildErrors.SkipUnknownEvents = true;
                o.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
                o.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
                configure(o);
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            .AddAsyncDaemon(DaemonMode.HotCold);
    }

    /// <summary>The connection options every store of the services uses (see <see cref="AddEventStore"/>).</summary>
    private static string Tuned(string connection)
    {
        var built = new Npgsql.NpgsqlConnectionStringBuilder(connection)
        {
            MaxAutoPrepare = 64,
            AutoPrepareMinUsages = 2,
            NoResetOnClose = true,
        };
        if (built.Options?.Contains("jit", StringComparison.OrdinalIgnoreCase) != true)
            built.Options = string.IsNullOrWhiteSpace(built.Options) ? "-c jit=off" : $"{built.Options} -c jit=off";
        return built.ConnectionString;
    }

    private static void Common(StoreOptions o, string connection, string schema)
    {
        o.Connection(connection);
        o.DatabaseSchemaName = schema;
        o.Events.DatabaseSchemaName = schema;
        // Absent rather than null: events and documents are a third smaller, and read back the same.
        o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase,
            json => json.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull);
    }

    /// <summary>
    /// Read-only queries (the service's <see cref="IQuerySession"/>) answered by a PostgreSQL replica, when
    /// <c>ConnectionStrings:PostgresReplica</c> is set: a store of its own on the replica, for the same schema and documents,
    /// that creates nothing and runs no daemon. Everything that writes, and the service's own background work, stays on
    /// the primary. A replica is a moment behind its primary: what was just stored may show a moment later.
    /// </summary>
    public static WebApplicationBuilder AddReplicaReads(this WebApplicationBuilder builder, string serviceName, Action<StoreOptions> documents)
    {
        string? replica = builder.Configuration.GetConnectionString(Settings.PostgresReplicaConnection);
        if (string.IsNullOrWhiteSpace(replica)) return builder;
        string schema = builder.Configuration[Settings.MartenSchema] ?? serviceName;
        replica = Tuned(replica);
        var reads = DocumentStore.For(o =>
        {
            Common(o, replica, schema);
            o.AutoCreateSchemaObjects = AutoCreate.None;
            documents(o);
        });
        builder.Services.AddSingleton(new ReplicaReads(reads));
        builder.Services.AddScoped<IQuerySession>(sp => sp.GetRequiredService<ReplicaReads>().Store.QuerySession());
        builder.Services.AddHealthChecks().AddNpgSql(replica, name: "postgres-replica", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }
}

/// <summary>The store on the PostgreSQL replica that a service's read-only queries go to.</summary>
public sealed class ReplicaReads(IDocumentStore store) : IAsyncDisposable
{
    public IDocumentStore Store { get; } = store;

    public ValueTask DisposeAsync()
    {
        Store.Dispose();
        return ValueTask.CompletedTask;
    }
}
