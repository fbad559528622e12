import "./styles/app.css";
import { boot } from "./boot.ts";
import "./components/schalter-app.ts";

boot();
