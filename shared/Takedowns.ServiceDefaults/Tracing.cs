using System.Diagnostics;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// The services' own spans (source <c>Takedowns</c>), made only when traces are exported (OTEL_EXPORTER_OTLP_ENDPOINT).
/// A report's trace crosses the outbox: Intake keeps the W3C <c>traceparent</c> of the request that brought it with its
/// first event, and the outbox publishes each page of changes in a span that continues the first report's trace and
/// links the others'; MassTransit carries that span to the consumers, so one trace runs from the webhook to where the
/// report is counted. A traceparent is two random ids, nothing about the report or its sender.
/// </summary>
public static class Tracing
{
    public const string SourceName = "Takedowns";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current span's traceparent, when one is being recorded.</summary>
    public static string? CurrentParent() => Activity.Current is { Recorded: true } a ? a.Id : null;

    /// <summary>A producer span that continues the first of <paramref name="parents"/> and links the rest (at most 128); null when nobody listens.</summary>
    public static Activity? StartContinuing(string name, IEnumerable<string?> parents)
    {
        if (!Source.HasListeners()) return null;
        var contexts = parents.OfType<string>().Select(p => ActivityContext.TryParse(p, null, out var c) ? c : default)
            .Where(c => c != default).Take(129).ToList();
        return contexts.Count == 0
            ? Source.StartActivity(name, ActivityKind.Producer)
            : Source.StartActivity(name, ActivityKind.Producer, contexts[0], links: contexts.Skip(1).Select(c => new ActivityLink(c)));
    }
}
