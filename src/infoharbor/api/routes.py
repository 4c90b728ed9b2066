from ninja import NinjaAPI

api = NinjaAPI(title="Information Harbor API", version="1", urls_namespace="api")
