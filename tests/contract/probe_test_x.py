from pathlib import Path
import schemathesis
from hypothesis import settings, HealthCheck
from starlette.testclient import TestClient
from k2connect_sandbox.app import create_app
from k2connect_sandbox.config import SandboxConfig

SPEC = Path("/work/main/openapi/k2connect.yaml")
app = create_app(SandboxConfig(deliver=False, callback_delay=0))
schema = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config.from_str("[generation]\nmax-examples = 25\n"))
schema.app = app

@schema.auth()
class CC:
    def get(self, case, ctx):
        r = TestClient(ctx.app).post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret"})
        return r.json()["access_token"]
    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case):
    case.call_and_validate()
