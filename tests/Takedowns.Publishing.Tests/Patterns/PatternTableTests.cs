using Takedowns.Contracts;
using Takedowns.Publishing.Patterns;

namespace Takedowns.Publishing.Tests.Patterns;

public sealed class PatternTableTests
{
    private static PatternCell Cell(string day, string country, Platform platform, GroundCategory category, int count) => new()
    {
        Day = DateOnly.Parse(day), Country = country, Platform = platform, Category = category, Count = count,
    };

    [Theory]
    [InlineData("2026-11-23", "2026-11-23")] // a Monday
    [InlineData("2026-11-29", "2026-11-23")] // the Sunday after
    [InlineData("2026-11-22", "2026-11-16")] // the Sunday before
    [InlineData("2027-01-01", "2026-12-28")] // weeks cross years
    public void weeks_start_on_monday(string day, string start) =>
        Assert.Equal(DateOnly.Parse(start), PatternTable.PeriodStart(DateOnly.Parse(day), Grain.Week));

    [Fact]
    public void months_start_on_the_first() =>
        Assert.Equal(new DateOnly(2026, 2, 1), PatternTable.PeriodStart(new DateOnly(2026, 2, 28), Grain.Month));

    [Fact]
    public void a_small_cell_is_suppressed_and_so_is_the_cell_it_could_be_worked_out_from()
    {
        var cells = new[]
        {
            Cell("2026-11-16", "KZ", Platform.YouTube, GroundCategory.IntellectualProperty, 3),
            Cell("2026-11-18", "KZ", Platform.Telegram, GroundCategory.Spam, 2),
            Cell("2026-11-18", "UZ", Platform.YouTube, GroundCategory.Spam, 4),
        };
        var rows = PatternTable.Build(cells, new HashSet<Dimension> { Dimension.Country }, Grain.Week, threshold: 5);

        // UZ's 4 is below k; KZ's 5 beside the week's total of 9 would give it away.
        Assert.Equal(
            [new PatternRow("2026-11-16", "KZ", null, null, null, true), new PatternRow("2026-11-16", "UZ", null, null, null, true)],
            rows);
    }

    [Fact]
    public void cells_at_k_are_shown_when_nothing_small_is_beside_them()
    {
        var cells = new[]
        {
            Cell("2026-11-16", "KZ", Platform.YouTube, GroundCategory.IntellectualProperty, 6),
            Cell("2026-11-17", "UZ", Platform.YouTube, GroundCategory.IntellectualProperty, 5),
            Cell("2026-12-01", "KZ", Platform.YouTube, GroundCategory.IntellectualProperty, 5),
        };
        var rows = PatternTable.Build(cells, new HashSet<Dimension> { Dimension.Country, Dimension.Platform, Dimension.Category }, Grain.Month, 5);
        Assert.Equal(
            [
                new PatternRow("2026-11-01", "KZ", Platform.YouTube, GroundCategory.IntellectualProperty, 6, false),
                new PatternRow("2026-11-01", "UZ", Platform.YouTube, GroundCategory.IntellectualProperty, 5, false),
                new PatternRow("2026-12-01", "KZ", Platform.YouTube, GroundCategory.IntellectualProperty, 5, false),
            ],
            rows);
    }

    [Fact]
    public void no_grouping_gives_totals_per_period()
    {
        var cells = new[]
        {
            Cell("2026-11-16", "KZ", Platform.YouTube, GroundCategory.IntellectualProperty, 3),
            Cell("2026-11-16", "UZ", Platform.X, GroundCategory.Spam, 3),
        };
        var rows = PatternTable.Build(cells, new HashSet<Dimension>(), Grain.Day, 5);
        Assert.Equal([new PatternRow("2026-11-16", null, null, null, 6, false)], rows);
    }

    [Fact]
    public void csv_has_a_header_and_only_the_grouped_columns()
    {
        var groupBy = new HashSet<Dimension> { Dimension.Country, Dimension.Platform };
        var rows = new[]
        {
            new PatternRow("2026-11-16", "KZ", Platform.Odnoklassniki, null, 7, false),
            new PatternRow("2026-11-16", "UZ", Platform.YouTube, null, null, true),
        };
        Assert.Equal(
            "period,country,platform,count,suppressed\r\n2026-11-16,KZ,ok,7,false\r\n2026-11-16,UZ,youtube,,true\r\n",
            PatternTable.ToCsv(rows, groupBy));
    }
}
