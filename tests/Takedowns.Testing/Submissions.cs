using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Testing;

/// <summary>Integration events as Intake would publish them, sent through a service's own bus on the real broker.</summary>
public static class Submissions
{
    public static ReportSubmitted Report(
        string country = "KZ", Platform platform = Platform.YouTube, GroundCategory category = GroundCategory.IntellectualProperty,
        DateOnly? occurredOn = null, bool publicStatistics = true) =>
        new(Guid.NewGuid(), Guid.NewGuid(), platform, SubjectType.IndependentMedia, country, TakedownAction.AccountSuspended,
            category, occurredOn ?? new DateOnly(2026, 11, 18), DateTimeOffset.UtcNow, publicStatistics);

    public static Task PublishAsync(IServiceProvider services, ReportSubmitted message, Guid? messageId = null) =>
        services.GetRequiredService<IBus>().PublishIntegrationEvent(message, messageId ?? Guid.NewGuid(), CancellationToken.None);
}
