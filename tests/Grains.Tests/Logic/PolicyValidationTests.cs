using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Interfaces;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Logic.Fixtures;

namespace ErieCanal.Orleans.Grains.Tests.Logic;

public sealed class PolicyValidationTests
{
    [Theory]
    [InlineData(LbTypes.Locality, 0)]
    [InlineData(LbTypes.Locality, 1)]
    [InlineData(LbTypes.ActiveActive, 0)]
    [InlineData(LbTypes.ActiveActive, 3)]
    [InlineData(LbTypes.FailOver, 1)]
    [InlineData(LbTypes.FailOver, 3)]
    public void Well_formed_policies_are_valid(string lbType, int targets)
    {
        var policy = Policy(lbType, [.. new[] { C2, C3, C4 }.Take(targets).Select(k => Target(k, 0))]);

        var validation = TrafficPolicyEvaluator.Validate(policy, Known);

        Assert.True(validation.Valid);
        Assert.Equal(ConditionReasons.Accepted, validation.ValidReason);
        Assert.True(validation.RefsResolved);
        Assert.Equal(ConditionReasons.AllResolved, validation.RefsReason);
    }

    [Fact]
    public void An_empty_lb_type_is_the_default_locality()
    {
        Assert.True(TrafficPolicyEvaluator.Validate(Policy(""), Known).Valid);
    }

    [Fact]
    public void Locality_with_more_than_one_target_is_invalid_and_names_them()
    {
        var validation = TrafficPolicyEvaluator.Validate(Policy(LbTypes.Locality, Target(C2), Target(C3)), Known);

        Assert.False(validation.Valid);
        Assert.Equal(ConditionReasons.InvalidPolicy, validation.ValidReason);
        Assert.Contains("Locality", validation.ValidMessage, StringComparison.Ordinal);
        Assert.Contains(C2, validation.ValidMessage, StringComparison.Ordinal);
        Assert.Contains(C3, validation.ValidMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void FailOver_without_targets_is_invalid()
    {
        var validation = TrafficPolicyEvaluator.Validate(Policy(LbTypes.FailOver), Known);

        Assert.False(validation.Valid);
        Assert.Equal(ConditionReasons.InvalidPolicy, validation.ValidReason);
        Assert.Contains("FailOver", validation.ValidMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_weight_is_invalid_and_named()
    {
        var validation = TrafficPolicyEvaluator.Validate(Policy(LbTypes.ActiveActive, Target(C2, 10), Target(C3, -5)), Known);

        Assert.False(validation.Valid);
        Assert.Equal(ConditionReasons.InvalidPolicy, validation.ValidReason);
        Assert.Contains(C3, validation.ValidMessage, StringComparison.Ordinal);
        Assert.Contains("-5", validation.ValidMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(C2, validation.ValidMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_lb_type_is_invalid_and_named()
    {
        var validation = TrafficPolicyEvaluator.Validate(Policy("RoundRobin"), Known);

        Assert.False(validation.Valid);
        Assert.Contains("'RoundRobin'", validation.ValidMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_structural_problem_is_reported()
    {
        var validation = TrafficPolicyEvaluator.Validate(Policy(LbTypes.Locality, Target(C2, -1), Target(C3)), Known);

        Assert.Contains("at most one target", validation.ValidMessage, StringComparison.Ordinal);
        Assert.Contains("negative weight -1", validation.ValidMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_cluster_keys_are_unresolved_refs_not_an_invalid_policy()
    {
        var validation = TrafficPolicyEvaluator.Validate(
            Policy(LbTypes.ActiveActive, Target(C2), Target("default/default/default/nowhere"), Target("cluster-3")), Known);

        Assert.True(validation.Valid);
        Assert.False(validation.RefsResolved);
        Assert.Equal(ConditionReasons.UnknownClusterKey, validation.RefsReason);
        Assert.Contains("default/default/default/nowhere", validation.RefsMessage, StringComparison.Ordinal);
        Assert.Contains("cluster-3", validation.RefsMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(C2, validation.RefsMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_can_be_both_invalid_and_unresolved()
    {
        var validation = TrafficPolicyEvaluator.Validate(Policy(LbTypes.ActiveActive, Target("x/y/z/w", -1)), Known);

        Assert.False(validation.Valid);
        Assert.False(validation.RefsResolved);
    }
}
