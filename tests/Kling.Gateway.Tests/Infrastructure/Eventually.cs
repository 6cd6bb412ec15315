namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>Waits for background work (a bounded number of short polls, never a fixed sleep standing in for an assertion).</summary>
internal static class Eventually
{
    public static Task<bool> TrueAsync(Func<bool> condition) => TrueAsync(() => Task.FromResult(condition()));

    public static async Task<bool> TrueAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
