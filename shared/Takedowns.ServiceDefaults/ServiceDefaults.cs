using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using Takedowns.ServiceDefaults.Parking;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Takedowns.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    public const string ReadyTag = "ready";
    public const string LivePath = "/health/live";
    public const string MetricsPath = "/metrics";
    public const string ReadyPath = "/health/ready";

    /// <summary>
    /// What every HTTP service of Takedowns has: problem details, JSON conventions, authentication and
    /// authorisation, health checks, OpenTelemetry and an OpenAPI document.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Logging.AddSafeJsonLogs();

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            c.ProblemDetails.Extensions["traceId"] = c.HttpContext.TraceIdentifier);
        builder.Services.AddExceptionHandler<DatabaseUnavailable>();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.MaxDepth = 32;
        });

        builder.Services.TryAddSingleton<TimeProvider>(MicrosecondClock.Instance);
        builder.Services.AddTakedownsAuth();
        builder.Services.AddTakedownsRateLimits(builder.Configuration);
        builder.Services.AddHealthChecks();
        builder.Services.AddTakedownsOpenApi(serviceName);

        builder.AddTelemetry(serviceName);

        return builder;
    }

    /// <summary>The most distinct tag combinations each metric keeps apart.</summary>
    public const int MetricPointsPerMetric = 400;

    /// <summary>
    /// Metrics of HTTP, MassTransit and Marten, always, for <c>GET /metrics</c> (Prometheus' text format, on the service's
    /// own port); traces too, and both exported over OTLP, when OTEL_EXPORTER_OTLP_ENDPOINT is set. Without an endpoint no
    /// span is made: spans nobody receives would cost every request for nothing.
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService($"takedowns-{serviceName}"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter("System.Runtime", "MassTransit", "Marten", PipelineMonitor.MeterName)
                // Each metric's points are allocated up front, 2,000 by default (about 170 KB a metric, 17 MB for the
                // hundred a service has); the services' tags (routes, statuses, channels, shards) make far fewer. Past the
                // limit, values are still counted, under otel.metric.overflow.
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MetricPointsPerMetric })
                .AddPrometheusExporter());
        if (string.IsNullOrWhiteSpace(builder.Configuration[Settings.OtlpEndpoint])) return builder;
        telemetry
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddSource("MassTransit", "Marten", Tracing.SourceName))
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>Exception handling, authentication, health endpoints and the OpenAPI document.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        BusRestarts.Logger = app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Takedowns.Bus");
        // Behind the gateway, the client's address arrives in X-Forwarded-For: taken only with the gateway's proof.
        app.UseGatewayProof(app.Configuration);
        app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseTakedownsOpenApi(); // public: the documents describe the API, they grant nothing
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        // Metrics in Prometheus' text format on the service's own port (loopback; the gateway routes no /metrics).
        app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        if (app.Services.GetService<Takedowns.ServiceDefaults.Parking.Parked>() is not null) app.MapParked();
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = HealthJson.WriteAsync }).AllowAnonymous();
        return app;
    }
}
