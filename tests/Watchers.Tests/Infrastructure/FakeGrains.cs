using System.Reflection;

namespace ErieCanal.Orleans.Watchers.Tests.Infrastructure;

/// <summary>
/// A grain factory for engines under test, no silo: every call on a grain reference goes to <see cref="FakeGrains.OnCall"/>
/// with the grain interface, its key, the method and its arguments.
/// </summary>
public sealed class FakeGrains
{
    public FakeGrains(Func<Type, string, MethodInfo, object?[], object?> onCall)
    {
        OnCall = onCall;
        Factory = GrainProxy<IGrainFactory>.Create(this, "");
    }

    public Func<Type, string, MethodInfo, object?[], object?> OnCall { get; }

    public IGrainFactory Factory { get; }

    private object? Invoke(Type grain, string key, MethodInfo method, object?[] args) =>
        grain == typeof(IGrainFactory) && method.Name == nameof(IGrainFactory.GetGrain) && args is [string grainKey, ..]
            ? typeof(GrainProxy<>).MakeGenericType(method.ReturnType).GetMethod(nameof(GrainProxy<IGrain>.Create))!.Invoke(null, [this, grainKey])
            : OnCall(grain, key, method, args);

    /// <summary>A grain interface (or the factory) whose calls <see cref="FakeGrains"/> answers.</summary>
    public class GrainProxy<T> : DispatchProxy
    {
        private FakeGrains _owner = null!;
        private string _key = "";

        public static T Create(FakeGrains owner, string key)
        {
            var proxy = DispatchProxy.Create<T, GrainProxy<T>>();
            var self = (GrainProxy<T>)(object)proxy!;
            self._owner = owner;
            self._key = key;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => _owner.Invoke(typeof(T), _key, targetMethod!, args ?? []);
    }
}
