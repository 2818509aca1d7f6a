namespace Takedowns.ServiceDefaults;

/// <summary>
/// The system clock at PostgreSQL's resolution: every time a service stamps is a whole microsecond. A time of 100 ns
/// ticks is stored in a JSON document with seven decimals, which PostgreSQL rounds to the microsecond when it compares
/// and sorts, while a parameter sent to it is truncated: a page cursor holding the last item's time then falls between
/// items that share its microsecond, and items went missing across pages.
/// </summary>
public sealed class MicrosecondClock : TimeProvider
{
    public static readonly MicrosecondClock Instance = new();

    public override DateTimeOffset GetUtcNow() => Truncate(System.GetUtcNow());

    public static DateTimeOffset Truncate(DateTimeOffset at) =>
        new(at.Ticks - at.Ticks % (TimeSpan.TicksPerMillisecond / 1000), at.Offset);
}
