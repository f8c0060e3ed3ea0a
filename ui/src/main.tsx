// Starts the window: the live picture of Switchboard, then the app itself.
import { render } from "preact";
import { App } from "./app/App";
import { start } from "./app/live";
import "./styles.css";

const root = document.getElementById("app");
if (root) render(<App />, root);
void start();
