using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using ErieCanal.Orleans.Interfaces;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Logic;

/// <summary>
/// The contract records that hold arrays compare them element by element in an Equals of their own, which lists
/// their members: each listed member must count, and none may be forgotten when a record grows.
/// </summary>
public sealed class RecordEqualityTests
{
    public static TheoryData<Type> RecordsWithArrays => new(Records());

    [Fact]
    public void Every_contract_record_holding_an_array_compares_it_by_value()
    {
        var synthesized = Records().Where(r => EqualsOf(r).GetCustomAttribute<CompilerGeneratedAttribute>() is not null).ToList();
        Assert.True(synthesized.Count == 0, "records comparing arrays by reference: " + string.Join(", ", synthesized.Select(t => t.Name)));
    }

    [Theory]
    [MemberData(nameof(RecordsWithArrays))]
    public void Separately_built_equal_records_are_equal_and_a_change_in_any_member_is_a_difference(Type record)
    {
        var a = Build(record, 0);
        var b = Build(record, 0);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());

        var parameters = Constructor(record).GetParameters();
        for (var i = 0; i < parameters.Length; i++)
        {
            var changed = Build(record, 0, i);
            Assert.False(a.Equals(changed), $"{record.Name}.Equals ignores {parameters[i].Name}");
        }
    }

    private static Type[] Records() => [.. typeof(Routing).Assembly.GetTypes().Where(IsRecord).Where(HasArray).OrderBy(t => t.Name)];

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null;

    private static bool HasArray(Type type) => Constructor(type).GetParameters().Any(p => IsArray(p.ParameterType));

    private static bool IsArray(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>);

    private static MethodInfo EqualsOf(Type record) => record.GetMethod(nameof(Equals), [record])!;

    private static ConstructorInfo Constructor(Type record) =>
        record.GetConstructors().Where(c => c.GetParameters().All(p => p.ParameterType != record)).MaxBy(c => c.GetParameters().Length)!;

    /// <summary>A record built from sample values; the parameter at <paramref name="other"/> takes a different one.</summary>
    private static object Build(Type record, int variant, int other = -1) =>
        Constructor(record).Invoke([.. Constructor(record).GetParameters().Select((p, i) => Sample(p.ParameterType, i == other ? 1 - variant : variant))]);

    private static object? Sample(Type type, int variant)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Sample(underlying, variant);
        }

        if (IsArray(type))
        {
            var element = type.GetGenericArguments()[0];
            var items = Array.CreateInstance(element, 1);
            items.SetValue(Sample(element, variant), 0);
            return typeof(ImmutableArray).GetMethods().Single(m => m.Name == nameof(ImmutableArray.Create) && m.GetParameters() is [{ ParameterType.IsArray: true }])
                .MakeGenericMethod(element).Invoke(null, [items]);
        }

        return type switch
        {
            _ when type == typeof(string) => variant == 0 ? "a" : "b",
            _ when type == typeof(int) => variant + 1,
            _ when type == typeof(long) => variant + 1L,
            _ when type == typeof(bool) => variant == 1,
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.UnixEpoch.AddDays(variant),
            _ when IsRecord(type) => Build(type, variant),
            _ => throw new NotSupportedException($"no sample value of {type.Name}: teach {nameof(RecordEqualityTests)} one"),
        };
    }
}
