#!/usr/bin/env node
import { createOrderflowApp } from '../lib/app';

// Stage: `cdk synth -c stage=prod` (dev by default); see lib/config.ts for the other context keys.
createOrderflowApp().app.synth();
