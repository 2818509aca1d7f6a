using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Spikes;

namespace Takedowns.Correlation.Tests.Spikes;

public sealed class SpikeDecisionsTests
{
    private static readonly Slice Slice = new("KG");
    private static readonly DateOnly Start = new(2026, 10, 5);
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static SpikeEpisode Episode(int observed = 9, bool open = false) =>
        new(Slice, Start, Start.AddDays(2), observed, 2.5, 1e-6, "nb-tail", Start, Start.AddDays(2), open, []);

    private static Spike Stored(bool open, bool withdrawn = false) =>
        new(Spike.IdOf(Slice, Start), Slice, "KG", Start, Start.AddDays(2), 9, 2.5, 1e-6, "nb-tail", [], Start, open, withdrawn, Now, Now);

    [Fact]
    public void an_ended_spike_that_late_data_takes_away_is_withdrawn()
    {
        var closed = Assert.IsType<SpikeClosed>(Assert.Single(SpikeDecisions.Reconcile(Stored(open: false), null, [], Now)));
        Assert.True(closed.Withdrawn);
    }

    [Fact]
    public void an_ended_spike_that_late_data_changes_is_revised_and_stays_ended()
    {
        var revised = Assert.IsType<SpikeRevised>(Assert.Single(SpikeDecisions.Reconcile(Stored(open: false), Episode(observed: 12), [], Now)));
        Assert.Equal(12, revised.Observed);
        Assert.Empty(SpikeDecisions.Reconcile(Stored(open: false), Episode(), [], Now)); // as found: nothing to record
    }

    [Fact]
    public void a_withdrawn_spike_stays_withdrawn_until_the_data_shows_it_again_then_stands_as_found()
    {
        var withdrawn = Stored(open: false, withdrawn: true);
        Assert.Empty(SpikeDecisions.Reconcile(withdrawn, null, [], Now));

        var events = SpikeDecisions.Reconcile(withdrawn, Episode(observed: 12), [], Now);
        Assert.Equal([typeof(SpikeReinstated), typeof(SpikeClosed)], events.Select(e => e.GetType()));
        var ended = Spike.Apply((SpikeClosed)events[1], Spike.Apply((SpikeReinstated)events[0], withdrawn));
        Assert.False(ended.Withdrawn);
        Assert.False(ended.Open);
        Assert.Equal(12, ended.Observed);

        var open = Spike.Apply(Assert.IsType<SpikeReinstated>(Assert.Single(SpikeDecisions.Reconcile(withdrawn, Episode(open: true), [], Now))), withdrawn);
        Assert.True(open.Open);
        Assert.False(open.Withdrawn);
        Assert.Empty(SpikeDecisions.Reconcile(open, Episode(open: true), [], Now)); // as found: nothing more to record
    }

    [Fact]
    public void an_open_spike_found_ended_is_closed_and_one_no_longer_found_is_withdrawn()
    {
        Assert.IsType<SpikeClosed>(Assert.Single(SpikeDecisions.Reconcile(Stored(open: true), Episode(open: false), [], Now)));
        Assert.True(Assert.IsType<SpikeClosed>(Assert.Single(SpikeDecisions.Reconcile(Stored(open: true), null, [], Now))).Withdrawn);
    }

    [Fact]
    public void late_reports_of_its_first_days_move_a_spikes_first_alarm_and_folding_the_revision_keeps_it()
    {
        var earlier = Episode() with { FirstAlarm = Start.AddDays(-1) };
        var stored = Stored(open: false) with { FirstAlarm = Start.AddDays(1) };
        var revised = Assert.IsType<SpikeRevised>(Assert.Single(SpikeDecisions.Reconcile(stored, earlier, [], Now)));
        Assert.Equal(Start.AddDays(-1), revised.FirstAlarm);
        Assert.Equal(Start.AddDays(-1), Spike.Apply(revised, stored).FirstAlarm);
        // A revision written before first alarms could move leaves it as it was.
        Assert.Equal(Start.AddDays(1), Spike.Apply(revised with { FirstAlarm = null }, stored).FirstAlarm);
    }

    [Theory]
    [InlineData(false, 0, 0, SpikeScanner.ScanPlan.Everything)]      // the counts hold every stored event: changed history too
    [InlineData(false, -3, 10, SpikeScanner.ScanPlan.Everything)]    // progress read between two commits
    [InlineData(false, 1, 10, SpikeScanner.ScanPlan.Recent)]         // a trickle behind: the recent days, history when due
    [InlineData(false, 5_000, 5_000, SpikeScanner.ScanPlan.Recent)]
    [InlineData(false, 5_001, 0, SpikeScanner.ScanPlan.Wait)]        // a backlog being counted in: nothing until due or done
    [InlineData(false, 0, 5_001, SpikeScanner.ScanPlan.Wait)]        // an import arriving, counted as fast as it comes
    [InlineData(true, 5_001, 0, SpikeScanner.ScanPlan.Everything)]
    [InlineData(true, 0, 1_000_000, SpikeScanner.ScanPlan.Everything)]
    public void a_scan_waits_while_an_import_arrives_until_the_historic_interval_is_due(bool due, long backlog, long arrived, SpikeScanner.ScanPlan expected) =>
        Assert.Equal(expected, SpikeScanner.PlanScan(worth: true, due, backlog, arrived, busyEvents: 5_000));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void a_scan_waits_while_nothing_it_could_find_changed(bool due) =>
        Assert.Equal(SpikeScanner.ScanPlan.Wait, SpikeScanner.PlanScan(worth: false, due, backlog: 0, arrived: 0, busyEvents: 5_000));
}
