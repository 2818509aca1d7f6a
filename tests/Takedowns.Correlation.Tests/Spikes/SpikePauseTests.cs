using Takedowns.Correlation.Spikes;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>
/// The scanner's pause between scans. A pause that ended between two readings of the clock once asked Task.Delay for a
/// negative wait, which threw out of the scanner's loop and stopped the whole service.
/// </summary>
public sealed class SpikePauseTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 17, 40, TimeSpan.Zero);

    [Fact]
    public void a_pause_that_has_ended_asks_for_no_wait_however_little_it_is_past()
    {
        Assert.Null(SpikeScanner.PauseStep(Now, Now));
        Assert.Null(SpikeScanner.PauseStep(Now.AddTicks(-1), Now));
        Assert.All(Enumerable.Range(-5, 11), ticks =>
            Assert.True(SpikeScanner.PauseStep(Now.AddTicks(ticks), Now) is not { } wait || wait > TimeSpan.Zero));
    }

    [Fact]
    public void a_pause_is_waited_out_in_steps_no_longer_than_the_check_for_settled_counts()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1), SpikeScanner.PauseStep(Now.AddMilliseconds(1), Now));
        Assert.Equal(SpikeScanner.SettledCheck, SpikeScanner.PauseStep(Now.AddMinutes(10), Now));
    }
}
