"""`oms network show` and `oms network map` on generated networks and network files."""
from pathlib import Path

from typer.testing import CliRunner

from api.cli_network import network_app

SAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "sample_network"
runner = CliRunner()


def test_show_summarises_a_generated_network():
    result = runner.invoke(network_app, ["show", "--stores", "10", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "generated network: 10 stores, seed 3 — 17 nodes" in result.output
    for text in ("Nodes by kind", "Nodes by region", "华中", "RDC-WUHAN", "武汉市", "保定市", "成都市", "沈阳市",
                 "Total pick capacity"):
        assert text in result.output
    assert "RDCs: 武汉市 (RDC-WUHAN), 保定市 (RDC-XUSHUI), 成都市 (RDC-CHENGDU), 沈阳市 (RDC-SHENYANG)" in result.output


def test_show_is_deterministic_for_a_seed():
    first = runner.invoke(network_app, ["show", "--stores", "25", "--seed", "9"]).output
    assert runner.invoke(network_app, ["show", "--stores", "25", "--seed", "9"]).output == first


def test_show_reads_a_network_file():
    result = runner.invoke(network_app, ["show", "--file", str(SAMPLE / "network.yaml")])
    assert result.exit_code == 0, result.output
    assert "network.yaml — 13 nodes" in result.output
    assert "RDC-XUSHUI" in result.output and "07:00-23:00 (2 shifts)" in result.output


def test_show_reports_a_bad_network_file_and_fails(tmp_path):
    bad = tmp_path / "nodes.csv"
    bad.write_text("node_id,name,kind\nST1,店,shop\n", encoding="utf-8")
    result = runner.invoke(network_app, ["show", "--file", str(bad)])
    assert result.exit_code == 2
    assert "nodes.csv line 2: kind" in result.output


def test_map_writes_a_png_of_the_nodes(tmp_path):
    out = tmp_path / "network.png"
    result = runner.invoke(network_app, ["map", "--out", str(out), "--stores", "10", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_map_writes_html_for_a_network_file(tmp_path):
    out = tmp_path / "network.html"
    result = runner.invoke(network_app, ["map", "--out", str(out), "--file", str(SAMPLE / "nodes.csv")])
    assert result.exit_code == 0, result.output
    assert "data:image/png;base64," in out.read_text(encoding="utf-8")
