using System.Text;
using Takedowns.Intake.Imports;

namespace Takedowns.Intake.Tests.Imports;

public sealed class ImportRowsTests
{
    private static List<ImportRow> Csv(string text) =>
        ImportRows.Read(ImportFormat.Csv, new MemoryStream(Encoding.UTF8.GetBytes(text))).ToList();

    [Fact]
    public void a_row_is_numbered_by_the_line_it_starts_on()
    {
        var rows = Csv("platform,accountHandle,subjectType,country,action,groundCategory,occurredAt,groundNoticeText\n" +
                       "youtube,@a,blogger,KZ,content_removed,spam,2020-01-01,\"first\nsecond\nthird\"\n" +
                       "youtube,@b,blogger,KZ,content_removed,spam,2020-01-02,plain\n");
        Assert.Equal([2L, 5L], rows.Select(r => r.Line).ToArray());
        Assert.Equal("first\nsecond\nthird", rows[0].Input!.Ground!.NoticeText);
    }

    [Fact]
    public void values_that_cannot_be_read_name_their_column()
    {
        var row = Assert.Single(Csv("platform,accountHandle,subjectType,country,action,groundCategory,occurredAt,consentNetwork\n" +
                                    "youtube,@a,blogger,KZ,content_removed,spam,2020-01-01,maybe\n"));
        Assert.Null(row.Input);
        Assert.Equal("consentNetwork", row.Field);
    }

    [Theory]
    [InlineData("platform,accountHandle\n", "Missing required columns")]
    [InlineData("platform,accountHandle,subjectType,country,action,groundCategory,occurredAt,platform\n", "appears twice")]
    [InlineData("", "header")]
    public void a_bad_header_stops_the_whole_file(string csv, string message) =>
        Assert.Contains(message, Assert.Throws<ImportFormatException>(() => Csv(csv)).Message);
}
