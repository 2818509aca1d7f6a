using System.Diagnostics.Metrics;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// The services' own instruments (meter <c>Takedowns</c>, on <c>GET /metrics</c> and over OTLP beside HTTP, MassTransit and
/// Marten's): reports acknowledged and imported (their rate is the intake rate), and how long after a report was stored
/// detection took it in. Parked items and lag are gauges of <see cref="Parking.PipelineMonitor"/>.
/// </summary>
public static class TakedownsMetrics
{
    private static readonly Meter Meter = new(Parking.PipelineMonitor.MeterName);

    /// <summary>New reports committed and acknowledged, by channel (<c>api</c>: REST and webhooks; <c>import</c>).</summary>
    public static readonly Counter<long> ReportsStored = Meter.CreateCounter<long>("takedowns.reports.stored", "{report}",
        "New reports committed (a retry that finds its report stored is not counted again)");

    /// <summary>From a report event's storing in a service's event store to detection having processed it, by detector.</summary>
    public static readonly Histogram<double> DetectionLatency = Meter.CreateHistogram<double>("takedowns.detection.latency", "s",
        "Time from a report's event being stored to detection having processed it");
}
