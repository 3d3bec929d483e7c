using System.Net;
using Ingest.Security;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Security;

public class SignInThrottleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Failures_SpreadOverMoreThanTheWindow_NeverRefuse()
    {
        var throttle = new SignInThrottle(_time, maxFailures: 3, window: TimeSpan.FromMinutes(5));
        var client = IPAddress.Parse("10.0.0.7");

        for (var i = 0; i < 12; i++)
        {
            Assert.False(throttle.IsRefused(client, out _));
            throttle.Failed(client);
            _time.Advance(TimeSpan.FromMinutes(2.6)); // a new window every second failure
        }

        Assert.Equal(0, throttle.Refused);
    }

    [Fact]
    public void ASuccess_ClearsTheAddress_AndAMappedIPv4IsTheSameClient()
    {
        var throttle = new SignInThrottle(_time, maxFailures: 2);
        throttle.Failed(IPAddress.Parse("192.0.2.1"));
        throttle.Failed(IPAddress.Parse("::ffff:192.0.2.1"));

        Assert.True(throttle.IsRefused(IPAddress.Parse("192.0.2.1"), out var wait));
        Assert.Equal(TimeSpan.FromMinutes(5), wait);
        throttle.Succeeded(IPAddress.Parse("::ffff:192.0.2.1"));
        Assert.False(throttle.IsRefused(IPAddress.Parse("192.0.2.1"), out _));
    }

    [Fact]
    public void ManyAddresses_AreCappedOldestFirst_AndCounted()
    {
        var throttle = new SignInThrottle(_time, maxFailures: 1);
        var first = IPAddress.Parse("198.51.100.1");
        throttle.Failed(first);
        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < SignInThrottle.MaxAddresses; i++)
        {
            throttle.Failed(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
        }

        Assert.Equal(SignInThrottle.MaxAddresses, throttle.Tracked);
        Assert.Equal(1, throttle.Evicted);
        Assert.False(throttle.IsRefused(first, out _));
        Assert.True(throttle.IsRefused(new IPAddress(BitConverter.GetBytes(0x0A000000 + 5)), out _));
    }
}
