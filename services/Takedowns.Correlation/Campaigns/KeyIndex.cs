using System.Runtime.InteropServices;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// Per blocking key, the reports carrying it. Most keys (a band of one notice's signature) are carried by one report,
/// which is kept in the key's own slot, so such a key costs no object of its own; a second report moves both into
/// <see cref="Postings"/>. A slot names its postings by their place in a list, not by a reference: the slots (tens of
/// millions at a deployment's volume) then hold no reference the garbage collector would have to scan them for.
/// </summary>
public sealed class KeyIndex
{
    private struct Slot
    {
        public long Ticks;
        public Guid Id;  // the one report, or empty
        public int Many; // or all of them: 1 + their place in _many (0: none)
    }

    private readonly Dictionary<long, Slot> _slots = [];
    private readonly List<Postings> _many = [];

    public void Add(long key, DateTimeOffset at, Guid id)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_slots, key, out _);
        if (slot.Many != 0) _many[slot.Many - 1].Add(at, id);
        else if (slot.Id == Guid.Empty) (slot.Ticks, slot.Id) = (at.UtcTicks, id); // a new slot is empty
        else
        {
            var many = new Postings();
            many.Add(new DateTimeOffset(slot.Ticks, TimeSpan.Zero), slot.Id);
            many.Add(at, id);
            _many.Add(many);
            (slot.Many, slot.Id) = (_many.Count, Guid.Empty);
        }
    }

    public void Remove(long key, Guid id)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_slots, key);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot)) return;
        if (slot.Many != 0) _many[slot.Many - 1].Remove(id);
        else if (slot.Id == id) slot.Id = Guid.Empty;
    }

    /// <summary>As <see cref="Postings.Nearest"/>, for the reports carrying <paramref name="key"/>.</summary>
    public void Nearest(long key, DateTimeOffset at, TimeSpan window, int perSide, HashSet<Guid> into)
    {
        if (!_slots.TryGetValue(key, out var slot)) return;
        if (slot.Many != 0) _many[slot.Many - 1].Nearest(at, window, perSide, into);
        else if (slot.Id != Guid.Empty && perSide > 0 && Math.Abs(slot.Ticks - at.UtcTicks) <= window.Ticks) into.Add(slot.Id);
    }

    public IEnumerable<(long Key, DateTimeOffset At, Guid Id)> Entries()
    {
        foreach (var (key, slot) in _slots)
        {
            if (slot.Many != 0)
                foreach (var (at, id) in _many[slot.Many - 1].Entries) yield return (key, at, id);
            else if (slot.Id != Guid.Empty) yield return (key, new DateTimeOffset(slot.Ticks, TimeSpan.Zero), slot.Id);
        }
    }

    public void Clear()
    {
        _slots.Clear();
        _many.Clear();
    }
}

/// <summary>The reports carrying one blocking key, in order of time, in one array grown as needed, times as UTC ticks.</summary>
public sealed class Postings
{
    private (long Ticks, Guid Id)[] _items = new (long, Guid)[2]; // made for a key's second report
    private int _count;

    public IReadOnlyList<(DateTimeOffset At, Guid Id)> Entries =>
        _items.Take(_count).Select(e => (new DateTimeOffset(e.Ticks, TimeSpan.Zero), e.Id)).ToList();

    public void Add(DateTimeOffset at, Guid id)
    {
        long ticks = at.UtcTicks;
        if (_count == _items.Length) Array.Resize(ref _items, _count * 2);
        int i = _count;
        while (i > 0 && _items[i - 1].Ticks > ticks) i--; // reports mostly arrive in order of time: a step or two back at most
        Array.Copy(_items, i, _items, i + 1, _count - i);
        _items[i] = (ticks, id);
        _count++;
    }

    public void Remove(Guid id)
    {
        int kept = 0;
        for (int i = 0; i < _count; i++)
            if (_items[i].Id != id) _items[kept++] = _items[i];
        _count = kept;
    }

    /// <summary>Adds the ids of up to <paramref name="perSide"/> entries before <paramref name="at"/> and as many from it on, within the window.</summary>
    public void Nearest(DateTimeOffset at, TimeSpan window, int perSide, HashSet<Guid> into)
    {
        long ticks = at.UtcTicks, span = window.Ticks;
        int lo = FirstFrom(ticks);
        for (int i = lo - 1, n = 0; i >= 0 && n < perSide && ticks - _items[i].Ticks <= span; i--, n++) into.Add(_items[i].Id);
        for (int i = lo, n = 0; i < _count && n < perSide && _items[i].Ticks - ticks <= span; i++, n++) into.Add(_items[i].Id);
    }

    /// <summary>
    /// The index of the first entry at or after <paramref name="ticks"/>. Reports mostly arrive in order of time, so the
    /// place is at or near the end: searched from there in doubling steps, then by halving, which touches only the recent
    /// (cached) end of a long list instead of its whole depth.
    /// </summary>
    private int FirstFrom(long ticks)
    {
        int hi = _count; // items[hi..] are at or after `ticks`
        if (hi == 0 || _items[hi - 1].Ticks < ticks) return hi;
        hi--;
        int lo = hi - 1; // items[..(lo + 1)] are before `ticks` once the doubling stops (lo = -1: none are known to be)
        for (int step = 1; lo >= 0 && _items[lo].Ticks >= ticks; step *= 2)
        {
            hi = lo;
            lo = Math.Max(-1, hi - step * 2);
        }
        lo++;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_items[mid].Ticks < ticks) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
