using Takedowns.Testing;

namespace Takedowns.EndToEnd;

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<RunningSystem>
{
    public const string Name = "running system";
}
