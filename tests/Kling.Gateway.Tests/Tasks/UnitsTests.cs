using System.Text.Json;
using Kling.Gateway.Tasks;

namespace Kling.Gateway.Tests.Tasks;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("""{"final_unit_deduction":"3.5"}""", 3_500L)]
    [InlineData("""{"final_unit_deduction":"0"}""", 0L)]
    [InlineData("""{"final_unit_deduction":7}""", 7_000L)]
    [InlineData("""{"final_unit_deduction":"0.0005"}""", 1L)]
    [InlineData("""{"final_unit_deduction":"1000000"}""", 1_000_000_000L)]
    [InlineData("""{"final_unit_deduction":"1000000.5"}""", null)]
    [InlineData("""{"final_unit_deduction":"-1"}""", null)]
    [InlineData("""{"final_unit_deduction":"1e3"}""", null)]
    [InlineData("""{"final_unit_deduction":"three"}""", null)]
    [InlineData("""{"final_unit_deduction":""}""", null)]
    [InlineData("""{"final_unit_deduction":null}""", null)]
    [InlineData("""{"final_unit_deduction":{"units":1}}""", null)]
    [InlineData("""{}""", null)]
    public void The_final_deduction_is_believed_only_when_it_is_a_number_from_0_to_a_million(string data, long? thousandths)
    {
        using var document = JsonDocument.Parse(data);

        Assert.Equal(thousandths, Units.FinalDeduction(document.RootElement));
    }

    [Theory]
    [InlineData("succeed", """ "final_unit_deduction":"2.5" """, 2_500L)]
    [InlineData("succeed", "", null)]
    [InlineData("failed", """ "final_unit_deduction":"2.5" """, 0L)]
    [InlineData("failed", "", 0L)]
    [InlineData("processing", """ "final_unit_deduction":"2.5" """, null)]
    public void A_failed_task_costs_nothing_and_a_succeeded_one_its_final_deduction(string status, string extra, long? charge)
    {
        var fields = extra.Length > 0 ? "," + extra : "";
        var body = "{\"code\":0,\"data\":{\"task_id\":\"1\",\"task_status\":\"" + status + "\"" + fields + "}}";

        Assert.Equal(charge, TaskSnapshot.Read(System.Text.Encoding.UTF8.GetBytes(body))!.Charge);
    }
}
