// Architecture: a placeholder until its issue builds it.
import { placeholder } from "./placeholder";

export function architecturePage(root: HTMLElement): void {
  placeholder(root, "A diagram of the running components and their endpoints, drawn from the live configuration.", ["Adapters (PostgreSQL wire, HTTP, Iceberg REST, S3), engine, catalog, metastore and object store", "Each box with its endpoint and live status"]);
}
