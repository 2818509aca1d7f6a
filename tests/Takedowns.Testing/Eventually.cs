namespace Takedowns.Testing;

/// <summary>Polls an asynchronous condition (projections and consumers are eventually consistent).</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T last = await read();
        while (!done(last))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what ?? "a condition"}; last value: {System.Text.Json.JsonSerializer.Serialize(last)}");
            await Task.Delay(200);
            last = await read();
        }
        return last;
    }
}
