"""iceberg-js (npm), a REST catalog client we did not write, drives namespaces and tables end to end
against akko with the OAuth2 client-credentials flow (node/iceberg_js_check.mjs); the expectations
are the spec's and the upstream kit's."""
import json
import subprocess

from conftest import ADMIN_PASSWORD
from iceberg_rest_client import own_server, unique  # noqa: F401 (own_server: the akko fixture)
from lake_files import NODE_DIR, local_path


def test_iceberg_js_end_to_end(akko):
    namespace = unique("icebergjs")
    out = subprocess.run(["node", str(NODE_DIR / "iceberg_js_check.mjs"), f"http://{akko.host}:{akko.http_port}/iceberg",
                          "admin", ADMIN_PASSWORD, namespace], capture_output=True, text=True, cwd=NODE_DIR,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)

    assert result["existsBefore"] is False
    assert result["created"]["namespace"] == [namespace]
    assert result["createdChild"]["namespace"] == [namespace, "child"]
    assert result["duplicate"] == {"status": 409, "type": "AlreadyExistsException"}
    assert [namespace] in result["topLevel"] and [namespace, "child"] not in result["topLevel"]
    assert result["children"] == [[namespace, "child"]]
    assert result["properties"]["owner"] == "iceberg-js"
    assert result["existsAfter"] is True

    table = result["createdTable"]
    assert table["location"]
    assert table["formatVersion"] == 2
    assert table["fields"] == [[1, "id", "long", True], [2, "ts", "timestamp", True], [3, "label", "string", False]]
    assert table["spec"]["fields"] == [{"source-id": 2, "field-id": 1000, "name": "ts_day", "transform": "day"}]
    assert table["properties"]["created-by"] == "iceberg-js"
    assert result["duplicateTable"] == {"status": 409, "type": "AlreadyExistsException"}
    assert result["tableExists"] is True
    assert result["tables"] == [{"namespace": [namespace], "name": "events"}]
    assert result["loadedUuid"] == result["createdUuid"]

    assert result["committedProperties"]["commit.by"] == "iceberg-js"
    assert result["committedLocation"].startswith(table["location"].rstrip("/") + "/")
    assert result["staleCommit"] == {"status": 409, "type": "CommitFailedException"}

    assert result["renameStatus"] == 204
    assert result["oldExists"] is False
    assert result["renamedUuid"] == result["createdUuid"]
    assert result["missingTable"] == {"status": 404, "type": "NoSuchTableException"}
    assert result["nonEmptyDrop"] == {"status": 409, "type": "NamespaceNotEmptyException"}

    assert result["renamedExistsAfterDrop"] is False
    assert result["existsAtEnd"] is False
    assert result["missingNamespace"] == {"status": 404, "type": "NoSuchNamespaceException"}
    # Purged: nothing is left under the table's location.
    root = local_path(akko.data_dir, table["location"].rstrip("/"))
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]
